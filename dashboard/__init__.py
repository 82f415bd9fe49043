"""The Streamlit dashboard's building blocks, one job per module; ``app.py`` only lays them out.

Modules without Streamlit (``jobs``, ``summary``) hold the logic the UI shows and are unit-tested directly.
"""
