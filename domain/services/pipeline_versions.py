"""The pipeline in force lives in the database, versioned and audited (docs/pipeline.md).

Every process on a database reads its rows under the same stages, probabilities, requirements and
automations: the pipeline is stored in the database (`pipeline_version`: the TOML text as given, its
number, who set it and when), never taken from a file each process is started with.

- The first open of a database that has none stores the pipeline it starts with as version 1: the
  file given with `--pipeline` (or `pipeline` in the settings), else the default shipped with Pantry.
- After that the file only has to agree with the database: a different one is refused, pointing to
  `pantry pipeline set FILE`, which an admin runs to store the next version. Setting it is a write like
  any other: audited, and announced, so sessions in other processes load it and repaint.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.enums import Role
from domain.errors import Refused, require_actor
from domain.pipeline import DEFAULT_PIPELINE_FILE, PipelineConfig
from domain.pipeline.config import parse_pipeline
from domain.records import PipelineVersion
from domain.session import Session

TABLE = "pipeline_version"


@dataclass(frozen=True)
class PipelineFile:
    """A pipeline file as given: where it came from (`--pipeline`, a variable, the settings file), its text."""

    path: str
    text: str
    given_by: str  # how the user named it: "--pipeline", "PANTRY_PIPELINE", "…/settings.toml: pipeline"

    @property
    def config(self) -> PipelineConfig:
        return parse_pipeline(self.text, self.path)  # PipelineConfigError: every problem, by key


def default_pipeline_file() -> PipelineFile:
    return PipelineFile(str(DEFAULT_PIPELINE_FILE), DEFAULT_PIPELINE_FILE.read_text(encoding="utf-8"), "the default")


class PipelineVersions:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.store = session.store

    # -- reads -------------------------------------------------------------------------------

    def current(self) -> PipelineVersion:
        version = self.store.pipeline_version()
        if version is None:
            raise Refused("this database has no pipeline stored yet: open it once with `pantry` to store one")
        return version

    def version(self, number: int) -> PipelineVersion:
        version = self.store.pipeline_version(number)
        if version is None:
            raise Refused(f"no pipeline version {number} (`pantry pipeline history` lists them)")
        return version

    def history(self) -> list[PipelineVersion]:
        """Every version, the newest first."""
        return self.store.pipeline_versions.find(order_by="number", descending=True)

    # -- opening a database --------------------------------------------------------------------

    def start(self, given: PipelineFile | None, *, strict: bool = True) -> PipelineConfig:
        """Put the session under the pipeline in force, storing `given` (else the default) as version 1
        when the database has none yet. With `strict`, a `given` file that differs from the one in force
        is refused (the file only seeds a new database)."""
        version = self.store.pipeline_version()
        if version is None and self.session.read_only:  # read the file's pipeline; storing it is a write
            self.session.pipeline = (given or default_pipeline_file()).config
            return self.session.pipeline
        if version is None:
            version = self._store_first(given or default_pipeline_file())
        config = self.session.use_pipeline(version)
        if strict and given is not None and given.config != config:
            raise Refused(
                f"{given.given_by}: {given.path} differs from the pipeline stored in this database (version "
                f"{version.number}, set by {version.created_by} on {version.created_at:%Y-%m-%d}); a pipeline file "
                f"only starts a new database. To change the pipeline, an admin runs `pantry pipeline set "
                f"{given.path}` (`pantry pipeline show` prints the one in force)"
            )
        return config

    def _store_first(self, given: PipelineFile) -> PipelineVersion:
        """Version 1: where the database starts, like its schema (its row says who and when; the audit log
        records changes, from version 2 on). If another process stores one first, that one is in force."""
        given.config  # refuse an invalid file before anything is written
        with self.session.write() as change:  # announces nothing: no session runs on this database yet
            if self.store.pipeline_version_number() == 0:
                self.store.add_pipeline_version(PipelineVersion(
                    number=1, toml=given.text, created_by=self.session.actor_login, created_at=change.now))
        return self.store.pipeline_version()

    # -- changing it ---------------------------------------------------------------------------

    def set(self, given: PipelineFile) -> PipelineVersion | None:
        """Store `given` as the next version (admins only); None when it is the pipeline already in force.

        Refused whole, nothing written: an invalid file (every problem listed, by key), a non-admin, or a
        pipeline without a stage that opportunities are in."""
        require_actor(self.session)
        actor = self.session.actor
        if Role(actor.role) is not Role.ADMIN:
            raise Refused(f"{actor.login} ({Role(actor.role).value}) cannot change the pipeline: only an admin can")
        config = given.config
        with self.session.write({"pipeline"}) as change:
            current = self.current()
            in_force = parse_pipeline(current.toml, f"pipeline version {current.number}")
            if in_force == config:
                change.kinds.clear()  # nothing stored: nothing to announce
                return None
            self._check_stages_in_use(in_force, config, given.path)
            saved = self.store.add_pipeline_version(PipelineVersion(
                number=current.number + 1, toml=given.text, created_by=actor.login, created_at=change.now))
            if saved is None:
                raise Refused(f"another session stored pipeline version {current.number + 1} just now; "
                              "`pantry pipeline show` prints it; run the command again to replace it")
            change.audit_create(TABLE, saved.id, f"version {saved.number} from {given.path}")
            change.touch(pipeline={saved.id})
            change.after_commit(lambda: self.session.use_pipeline(saved))
        return saved

    def _check_stages_in_use(self, in_force: PipelineConfig, config: PipelineConfig, path: str) -> None:
        """A stage of the pipeline in force that still holds deals may not disappear."""
        gone = {stage: n for stage, n in self.store.opportunities_per_stage().items()
                if in_force.has(stage) and not config.has(stage)}
        if gone:
            listed = "; ".join(f"stage {stage!r} holds {n:,} opportunit{'y' if n == 1 else 'ies'}"
                               for stage, n in sorted(gone.items()))
            raise Refused(f"{path}: stages: {listed}; keep the stage (or move those deals first)")
