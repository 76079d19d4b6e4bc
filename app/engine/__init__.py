"""The only package that imports SpiffWorkflow: parse, check, run and save processes."""
from . import clock
from .package import Problem, ProcessBundle, ProcessProblems, content_hash, parse_package
from .render import render_instructions
from .runtime import HumanTask, ProcessEngine, RunResult, StateNotStorable, TaskNotReady

__all__ = [
    "HumanTask", "Problem", "ProcessBundle", "ProcessEngine", "ProcessProblems", "RunResult",
    "StateNotStorable", "TaskNotReady", "clock", "content_hash", "parse_package", "render_instructions",
]
