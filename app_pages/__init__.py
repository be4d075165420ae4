"""Streamlit pages of Prep Agent; they only render, services do the work."""
