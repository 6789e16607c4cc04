"""Streamlit viewer of the published partner-incentive marts."""
