"""Each role's calendar feed holds its own deadlines: a case's step appears in the feed of the role that acts
next and moves to the next role's feed when the step is taken; the expiry dates are in every feed."""

from __future__ import annotations

from typing import Any

import pytest
from icalendar import Calendar

from jaga.renewals.models import StepAction
from jaga.renewals.services.feeds import feed_create, feed_render
from jaga.renewals.services.workflow import case_open
from jaga.renewals.tests.test_workflow import take

pytestmark = pytest.mark.django_db


def _events(person: Any, institution: Any) -> dict[str, Any]:
    feed, _token = feed_create(user=person, institution=institution)
    calendar = Calendar.from_ical(feed_render(feed=feed))
    return {str(event["summary"]): event for event in calendar.walk("VEVENT")}


def test_a_step_is_in_the_feed_of_the_role_that_takes_it_and_moves_on_with_the_case(
    hosting: Any, people: dict[str, Any], institution: Any
) -> None:
    case = take(case_open(service=hosting), StepAction.REQUEST_INVOICE, people["staff"])
    case = take(case, StepAction.RECEIVE_INVOICE, people["staff"])
    umum, sekretaris = _events(people["umum"], institution), _events(people["sekretaris"], institution)
    verify = [summary for summary in umum if summary.endswith(": Hosting situs") and "Berakhir" not in summary]
    assert len(verify) == 1
    assert umum[verify[0]].decoded("dtstart") == case.deadline
    assert [s for s in sekretaris if not s.startswith("Berakhir: ")] == []
    assert "Berakhir: Hosting situs" in umum
    assert "Berakhir: Hosting situs" in sekretaris
    assert sekretaris["Berakhir: Hosting situs"].decoded("dtstart") == hosting.expires_on

    take(case, StepAction.VERIFY, people["umum"])
    umum, sekretaris = _events(people["umum"], institution), _events(people["sekretaris"], institution)
    assert [s for s in umum if not s.startswith("Berakhir: ")] == []
    approve = [s for s in sekretaris if not s.startswith("Berakhir: ")]
    assert len(approve) == 1
    assert approve[0] != verify[0]  # another step's name
    assert sekretaris[approve[0]].decoded("dtstart") is not None
