"""Every form that changes something needs the page's CSRF token: a forged cross-site post gets 400."""
import re

import pytest

from helpers import audit_event_count as event_count
from helpers import sign_in


def page_write_rules(app) -> list[str]:
    rules = [r for r in app.url_map.iter_rules() if not r.rule.startswith("/api/")
             and r.methods & {"POST", "PUT", "PATCH", "DELETE"}]
    return sorted({re.sub(r"<[^>]+>", "1", r.rule) for r in rules})


@pytest.mark.parametrize("user", ["worker1", "admin", "designer1"])
def test_every_page_write_without_the_token_is_refused(app, client, user):
    sign_in(client, user)
    before = event_count(app)
    paths = page_write_rules(app)
    assert len(paths) > 30
    for path in paths:
        response = client.post(path, data={"title": "x", "reason": "x"})
        assert response.status_code == 400, (path, response.status_code)
        assert "CSRF" in response.get_data(as_text=True), path
    assert event_count(app) == before  # nothing was written by any of them
