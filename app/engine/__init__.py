"""The only package that imports SpiffWorkflow: parse, check, run and save processes."""
from app.engine.package import Problem, ProcessBundle, ProcessProblems, content_hash, parse_package
from app.engine.render import NotShown, render_instructions
from app.engine.runtime import HumanTask, LiveDataFailed, ProcessEngine, RunResult, StateNotStorable, TaskNotReady

__all__ = [
    "HumanTask", "LiveDataFailed", "NotShown", "Problem", "ProcessBundle", "ProcessEngine", "ProcessProblems", "RunResult",
    "StateNotStorable", "TaskNotReady", "content_hash", "parse_package", "render_instructions",
]
