"""Escucha dashboard (Streamlit): app.py is the entry point, views/ the pages."""
