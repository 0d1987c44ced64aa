"""The house template: set without plotly's per-assignment validation, but the same as the validated way."""

import plotly.graph_objects as go

from retention_core.charts.theme import TEMPLATE, styled


def test_styled_sets_exactly_the_validated_template_and_each_figure_owns_its_copy():
    validated = go.Figure(go.Bar(x=[1, 2], y=[3, 4])).update_layout(template=TEMPLATE)
    fast = styled(go.Figure(go.Bar(x=[1, 2], y=[3, 4])), title="T")
    assert fast.to_plotly_json()["layout"]["template"] == validated.to_plotly_json()["layout"]["template"]
    assert fast.layout.template.layout.font.size == 15 and fast.layout.title.text == "T"
    other = styled(go.Figure())
    other.layout.template.layout.font.size = 30  # a change to one figure's template stays in that figure
    assert styled(go.Figure()).layout.template.layout.font.size == 15 == fast.layout.template.layout.font.size
    fast.update_layout(height=300)  # validation is back on for everything after the template
    try:
        fast.update_layout(heigth=300)
    except ValueError:
        pass
    else:
        raise AssertionError("a misspelt layout property must still be rejected")
