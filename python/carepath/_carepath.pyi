"""Types of the extension module (python/src/lib.rs); the package's API is carepath/__init__.py."""

from os import PathLike
from typing import Any, Callable

__version__: str

class ScenarioError(ValueError):
    problems: list[dict[str, Any]]

class SimulationError(RuntimeError): ...

class Scenario:
    @staticmethod
    def from_file(path: str | PathLike[str]) -> Scenario: ...
    @staticmethod
    def from_toml(text: str, name: str = "<string>") -> Scenario: ...
    @property
    def variants(self) -> list[str]: ...
    @property
    def name(self) -> str: ...
    @property
    def file(self) -> str: ...
    @property
    def settings(self) -> list[str]: ...
    def set(self, path: str, value: bool | int | float | str | list[Any] | dict[str, Any]) -> Scenario: ...

class RunResult:
    @property
    def run_seconds(self) -> float: ...
    @property
    def variant(self) -> str: ...
    def summary_json(self) -> str: ...
    def station_ids(self) -> list[str]: ...
    def class_ids(self) -> list[str]: ...
    def replications(self) -> dict[str, list[Any]]: ...
    def queue_length(self) -> dict[str, list[Any]]: ...
    def html(self) -> str: ...

class ComparisonResult:
    def comparison_json(self) -> str: ...
    def differences(self) -> dict[str, list[Any]]: ...
    def runs(self) -> list[RunResult]: ...
    def html(self) -> str: ...

# Called with (done, total, what): what is "" for the replications asked for, "warm-up pilot"
# for the pilot replications of warm_up = "auto".
Progress = Callable[[int, int, str], None] | None

def run(
    scenario: Scenario,
    variant: str | None = None,
    replications: int | None = None,
    seed: int | None = None,
    threads: int | None = None,
    max_arrivals: int | None = None,
    progress: Progress = None,
) -> RunResult: ...
def compare(
    scenario: Scenario,
    variants: list[str] | None = None,
    replications: int | None = None,
    seed: int | None = None,
    threads: int | None = None,
    progress: Progress = None,
) -> ComparisonResult: ...
def sweep(
    study: str | PathLike[str],
    replications: int | None = None,
    seed: int | None = None,
    threads: int | None = None,
    progress: Progress = None,
    shard: tuple[int, int] | None = None,
) -> tuple[dict[str, list[Any]], dict[str, str]]: ...
def events(
    scenario: Scenario,
    variant: str | None = None,
    replication: int | None = None,
    seed: int | None = None,
    sample: int | float | None = None,
    limit: int | None = None,
) -> dict[str, list[Any]]: ...
