"""One module per view; ``app.py`` registers them with ``st.navigation``."""
