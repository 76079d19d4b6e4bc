"""Decision tables as SpiffWorkflow runs them: `?` in input entries, inputs read by their label."""
from datetime import UTC, datetime

import pytest

from app.engine import ProcessProblems
from app.engine.dry_run import dry_run
from app.modules import diagram_helpers
from app.workflow.versions import check_package
from bpmn_samples import HEAD

HELPERS = diagram_helpers()

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
DMN_HEAD = ('<?xml version="1.0" encoding="UTF-8"?>'
            '<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="defs_band" name="band" '
            'namespace="urn:minxu:test"><decision id="band" name="分档"><decisionTable id="band_table" hitPolicy="FIRST">')


def band_dmn(expression: str = "amount", label: str = "amount") -> str:
    """amount in 100..110 → "mid" (written with `?`), below → "low", else "high"."""
    rules = [("100 &lt;= ? &lt;= 110", '"mid"'), ("&lt; 100", '"low"'), ("-", '"high"')]
    return (DMN_HEAD
            + f'<input id="in_amount" label="{label}"><inputExpression id="in_amount_expr" typeRef="integer">'
            f'<text>{expression}</text></inputExpression></input>'
            '<output id="out_band" name="band" typeRef="string"/>'
            + "".join(f'<rule id="r{i}"><inputEntry id="r{i}_in"><text>{entry}</text></inputEntry>'
                      f'<outputEntry id="r{i}_out"><text>{value}</text></outputEntry></rule>'
                      for i, (entry, value) in enumerate(rules))
            + "</decisionTable></decision></definitions>")


def rule_bpmn() -> str:
    """start → decide (business rule task calling `band`) → end; no user task."""
    return (HEAD + '<bpmn:process id="banding" name="分档" isExecutable="true">'
            '<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="decide"/>'
            '<bpmn:businessRuleTask id="decide"><bpmn:extensionElements>'
            '<spiffworkflow:calledDecisionId>band</spiffworkflow:calledDecisionId></bpmn:extensionElements>'
            '</bpmn:businessRuleTask><bpmn:sequenceFlow id="f1" sourceRef="decide" targetRef="end"/>'
            '<bpmn:endEvent id="end"/></bpmn:process></bpmn:definitions>')


def run_with(dmn: str, amount: int) -> dict:
    bundle = check_package({"banding.bpmn": rule_bpmn(), "band.dmn": dmn})
    return dry_run(bundle, HELPERS.keys(), answers={}, data={"amount": amount}, start_at=T0)


@pytest.mark.parametrize("amount, band", [(105, "mid"), (100, "mid"), (99, "low"), (111, "high")])
def test_question_mark_entries_are_accepted_and_run(amount, band):
    result = run_with(band_dmn(), amount)
    assert result["status"] == "completed", result["message"]
    assert result["data"]["band"] == band


def test_an_empty_input_expression_reads_the_variable_named_by_its_label():
    result = run_with(band_dmn(expression=""), 105)
    assert result["status"] == "completed", result["message"]
    assert result["data"]["band"] == "mid"


def test_an_input_with_neither_expression_nor_label_is_refused():
    with pytest.raises(ProcessProblems) as caught:
        check_package({"banding.bpmn": rule_bpmn(), "band.dmn": band_dmn(expression="", label="")})
    assert [p.element for p in caught.value.problems] == ["in_amount"]


def test_question_mark_entries_are_still_checked_as_expressions():
    dmn = band_dmn().replace("100 &lt;= ? &lt;= 110", "__import__('os').system('id') or ?")
    with pytest.raises(ProcessProblems) as caught:
        check_package({"banding.bpmn": rule_bpmn(), "band.dmn": dmn})
    assert [p.element for p in caught.value.problems] == ["r0_in"]
    assert "decision rule refused" in caught.value.problems[0].message


def test_a_question_mark_inside_quotes_is_text():
    dmn = band_dmn().replace("100 &lt;= ? &lt;= 110", "\"why?\"")
    assert run_with(dmn, 105)["data"]["band"] == "high"
