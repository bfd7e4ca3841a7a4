"""The file as it was uploaded, which the upload archive keeps. The upload page holds its bytes
anyway; a file loaded from disk (the command line, a build) is read again, in blocks, when it is
archived, so its bytes are not held while its rows are parsed and checked (1.9 GiB at 10M
leads). A file changed on disk in between is refused: its archived copy must be the file whose
rows were loaded."""

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from revcycle.importer.problems import FILE_CHANGED, refused

BLOCK_BYTES = 8 * 2**20


@dataclass(frozen=True)
class Original:
    size: int
    data: bytes | None = field(default=None, repr=False)  # held: the page's upload
    path: Path | None = None  # or read again from here
    modified_ns: int | None = None  # the file's modification time when it was read

    @classmethod
    def of_bytes(cls, data: bytes) -> "Original":
        return cls(len(data), data=data)

    @classmethod
    def on_disk(cls, path: Path) -> "Original":
        """The file at ``path`` as it is now; read before its rows are."""
        stat = path.stat()
        return cls(stat.st_size, path=path, modified_ns=stat.st_mtime_ns)

    def blocks(self) -> Iterator[bytes]:
        """The file's bytes in blocks; refused if the file on disk changed since it was read."""
        if self.data is not None:
            yield self.data
            return
        self._refuse_if_changed()
        with self.path.open("rb") as handle:
            while block := handle.read(BLOCK_BYTES):
                yield block
        self._refuse_if_changed()  # changed while it was read again

    def sha256(self) -> str:
        digest = hashlib.sha256()
        for block in self.blocks():
            digest.update(block)
        return digest.hexdigest()

    def _refuse_if_changed(self) -> None:
        try:
            stat = self.path.stat()
            now = (stat.st_size, stat.st_mtime_ns)
        except OSError:
            now = None
        if now != (self.size, self.modified_ns):
            reason = (
                "The file changed on disk (or was removed) after its rows were read, so the "
                "copy kept of it would not be the file loaded. Nothing was loaded; load it again."
            )
            raise refused(self.path.name, reason, FILE_CHANGED)
