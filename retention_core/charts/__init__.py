"""plotly figure builders (no Streamlit): the app and the HTML report draw the same figures."""
