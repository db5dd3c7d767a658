"""The local multiprocess executor: each step of a run in a process of its own, unless the run has one step.

A run of one step (a version's analysis, a summary written again) already runs in
a process of its own, its run worker, which the launcher watches: if the step
takes that process down, the run is marked failed and ``run_retries``
re-executes it. Starting a step process for it would only pay for a forkserver
that imports the code location again (~2 s of CPU a run) to fork one child. A
run of several steps (the diff and its summary) keeps a process per step, so a
step that crashes is recorded as that step's failure while the run goes on.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from dagster import DagsterEvent, executor
from dagster._core.definitions.executor_definition import (
    MULTI_PROC_CONFIG,
    _core_multiprocess_executor_creation,
    multiple_process_executor_requirements,
)
from dagster._core.execution.context.system import PlanOrchestrationContext
from dagster._core.execution.plan.plan import ExecutionPlan
from dagster._core.execution.retries import RetryMode
from dagster._core.execution.step_dependency_config import StepDependencyConfig
from dagster._core.executor.base import Executor
from dagster._core.executor.in_process import InProcessExecutor
from dagster._core.executor.multiprocess import MultiprocessExecutor


class StepProcessExecutor(Executor):
    """Dagster's multiprocess executor for runs of several steps, its in-process executor for a run of one."""

    def __init__(self, steps: MultiprocessExecutor) -> None:
        self._steps = steps
        self._alone = InProcessExecutor(retries=steps.retries, step_dependency_config=steps.step_dependency_config)

    @property
    def retries(self) -> RetryMode:
        return self._steps.retries

    @property
    def step_dependency_config(self) -> StepDependencyConfig:
        return self._steps.step_dependency_config

    def executor_for(self, execution_plan: ExecutionPlan) -> Executor:
        """In the run worker when the plan has one step to execute, else a process per step."""
        return self._alone if len(execution_plan.step_keys_to_execute) == 1 else self._steps

    def execute(self, plan_context: PlanOrchestrationContext, execution_plan: ExecutionPlan) -> Iterator[DagsterEvent]:
        return self.executor_for(execution_plan).execute(plan_context, execution_plan)


@executor(name="multiprocess", config_schema=MULTI_PROC_CONFIG, requirements=multiple_process_executor_requirements())
def step_process_executor(init_context: Any) -> StepProcessExecutor:
    """Takes the multiprocess executor's configuration (``max_concurrent``, ``start_method``, ``retries``)."""
    return StepProcessExecutor(_core_multiprocess_executor_creation(init_context.executor_config))
