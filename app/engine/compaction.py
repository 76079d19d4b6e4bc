"""Keep live instances small: move finished history out of the task tree.

SpiffWorkflow keeps every task an instance ever ran in its tree, so a case that loops (rework,
another round) pays for its whole past on every load, step and save. Finished tasks above the point
where all live work meets are cut off and returned as a trail (the elements completed and the flows
taken) for the instance's history; the live tree keeps only what the engine can still consult: the
live work, and the latest task of each element on the way to it."""
from dataclasses import dataclass, field

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.specs.Join import Join
from SpiffWorkflow.task import Task as SpiffTask
from SpiffWorkflow.util.task import TaskState

from app.engine.trace import RELINKED, flows_into, step

DONE = TaskState.COMPLETED | TaskState.CANCELLED


@dataclass
class Trail:
    """What a compaction took out of the live tree: completed elements and the flows taken."""

    path: list[dict] = field(default_factory=list)
    flows: list[list[str]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.path or self.flows)


def compact(workflow: BpmnWorkflow) -> Trail:
    """Cut finished history off the top workflow and its live subprocesses; what was cut, as a trail."""
    trail = Trail()
    for tree in [workflow, *workflow.get_active_subprocesses()]:
        if tree is workflow or tree.parent_task_id in workflow.subprocesses:
            _compact_tree(workflow, tree, trail)
    return trail


def _compact_tree(top: BpmnWorkflow, tree, trail: Trail) -> None:
    root = tree.task_tree
    live = [t for t in tree.tasks.values() if not t.has_state(DONE)]
    if not live:
        return
    cut = _cut_point(root, _meeting_point(live))
    if cut is None:
        return
    line = [root, *_latest_per_spec(_chain(cut)[1:-1]), cut]
    kept = set(_ids(cut)) | {t.id for t in line}
    removed = [t for t in tree.tasks.values() if t.id not in kept]
    if not removed:
        return
    _record(trail, removed, top)
    _relink(line, trail)
    for task in removed:
        del tree.tasks[task.id]
        top.event_manager.remove_task(task)
    if tree.last_task is not None and tree.last_task.id not in kept:
        tree.last_task = cut


def _latest_per_spec(ancestors: list[SpiffTask]) -> list[SpiffTask]:
    """The most recent ancestor of each spec, oldest first.

    Walking up from the cut meets the same specs in the same order as in the full chain, so joins and
    boundary events that search their ancestors (for an input, a split) still find what they found."""
    latest, seen = [], set()
    for task in reversed(ancestors):
        if task.task_spec not in seen:
            seen.add(task.task_spec)
            latest.append(task)
    return latest[::-1]


def _relink(line: list[SpiffTask], trail: Trail) -> None:
    """Make `line` (root, kept ancestors, cut) a single chain, each keeping only the next as its child.

    The cut's nearest diagram element above it is kept as it was (the latest of each spec is), so only
    the kept ancestors' own incoming flows can change: those are moved to the trail and flagged."""
    before = {t.id: flows_into(t) for t in line}
    for parent, child in zip(line, line[1:]):
        parent.children, child.parent = [child], parent
    for task in line:
        if flows_into(task) != before[task.id]:
            trail.flows += [f for f in before[task.id] if f not in trail.flows]
            task._set_internal_data(**{RELINKED: True})
    for task in line[1:-2]:
        task.data = {}  # history: only the cut's parent passes data on (to a cut that has yet to run)


def _meeting_point(live: list[SpiffTask]) -> SpiffTask:
    """The deepest task every live task descends from (or is).

    Only the live tasks without a live parent are walked up: every other one descends from one of
    those, so they share the same deepest common ancestor, and predicted tasks are most of the tree."""
    live_ids = {t.id for t in live}
    chains = [_chain(t) for t in live if t.parent is None or t.parent.id not in live_ids]
    meeting = chains[0][0]
    for level in zip(*chains):
        if any(t is not level[0] for t in level):
            break
        meeting = level[0]
    return meeting


def _cut_point(root: SpiffTask, meeting: SpiffTask) -> SpiffTask | None:
    """The highest task to keep: the meeting point, or a fork above it whose region is still open.

    A parallel or inclusive join decides by looking at finished join tasks in sibling branches; such a
    branch is kept while no completed task of that join lies between its fork and the live work."""
    cut, below = meeting, {t.task_spec for t in _subtree(meeting) if t.state == TaskState.COMPLETED}
    node = meeting
    while node.parent is not None and node.parent is not root:
        fork = node.parent
        for side in fork.children:
            if side is not node and _joins_in(side) - below:
                cut = fork
        if fork.state == TaskState.COMPLETED:
            below.add(fork.task_spec)
        node = fork
    return None if cut.parent is root else cut


def _joins_in(branch: SpiffTask) -> set:
    return {t.task_spec for t in _subtree(branch) if isinstance(t.task_spec, Join)}


def _record(trail: Trail, removed: list[SpiffTask], top: BpmnWorkflow) -> None:
    """Add the removed tasks, and every subprocess run under them, to the trail; drop those subprocesses."""
    tasks = {t.id: t for t in removed}
    hosts = [t for t in removed if t.id in top.subprocesses]
    for host in hosts:  # get_tasks walks nested subprocesses too
        tasks.update((t.id, t) for t in top.subprocesses[host.id].get_tasks())
    named = [t for t in tasks.values() if t.task_spec.bpmn_id]
    for task in sorted((t for t in named if t.state == TaskState.COMPLETED), key=lambda t: t.last_state_change):
        trail.path.append(step(task))
    for task in named:
        if task.state == TaskState.COMPLETED:
            trail.flows += [f for f in flows_into(task) if f not in trail.flows]
    # Only now: naming a nested subprocess's element looks up the task it runs under.
    for host in hosts:
        top.delete_subprocess(host)


def _chain(task: SpiffTask) -> list[SpiffTask]:
    chain = []
    while task is not None:
        chain.append(task)
        task = task.parent
    return chain[::-1]


def _subtree(task: SpiffTask):
    stack = [task]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(current.children)


def _ids(task: SpiffTask):
    return (t.id for t in _subtree(task))
