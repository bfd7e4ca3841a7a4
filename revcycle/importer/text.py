"""Text columns as the importer holds them, in Arrow: the one rule for a blank cell, and a
column's parts (a million rows each), which the reader makes and every parser keeps."""

from functools import partial

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

PART_ROWS = 1 << 20  # the rows of one part of a column: a million-row export is one part

# In read, parse and validate alike: nothing is left once whitespace is stripped from both
# ends. Whitespace is Unicode's White_Space (str.isspace: U+00A0, U+2007, U+202F among them)
# and the invisible U+200B, U+2060 and U+FEFF.
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\u200b\u2060\ufeff"
)
NULL = pa.scalar(None, pa.string())


def one_array(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """The column as one plain (32-bit offset: 2 GB a column) Arrow string array."""
    values = values.cast(pa.string())
    if isinstance(values, pa.ChunkedArray):
        values = values.chunk(0) if values.num_chunks == 1 else values.combine_chunks()
    return values


def parts(values: pa.Array | pa.ChunkedArray) -> list[pa.Array]:
    """The column as plain string arrays, a part each: the parts it was read in (see read._fetch),
    with no copy; a column of many small chunks (a slice's, a join's) as one array."""
    values = values.cast(pa.string())
    if isinstance(values, pa.Array):
        return [values]
    if values.num_chunks > 1 + len(values) // (PART_ROWS // 8):
        return [one_array(values)]
    return [chunk for chunk in values.chunks if len(chunk)] or [pa.array([], pa.string())]


def string_buffers(chunk: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """A string array's bytes as numpy, and where each value starts in them (plus the end)."""
    if chunk.type != pa.string():
        chunk = chunk.cast(pa.string())
    if len(chunk) == 0:
        return np.zeros(1, dtype=np.int64), np.zeros(0, dtype=np.uint8)
    _, offsets, text = chunk.buffers()
    offsets = np.frombuffer(offsets, np.int32, count=len(chunk) + 1, offset=4 * chunk.offset)
    text = np.frombuffer(text, np.uint8) if text is not None else np.zeros(0, np.uint8)
    first = offsets[0]  # not 0 in a slice: rebased, so the offsets index the bytes returned
    return (offsets - first if first else offsets), text[first : offsets[-1]]


def _apply_blank_rule(values: pa.Array, keep_text: bool) -> pa.Array:
    """Only a value that is empty, or starts or ends outside visible ASCII, can change: those
    few are found in the buffers and trimmed by Arrow (five times as fast as trimming all); a
    column (or chunk) without any is not copied."""
    if isinstance(values, pa.ChunkedArray):
        chunks = [_apply_blank_rule(chunk, keep_text) for chunk in values.chunks]
        return pa.chunked_array(chunks, type=pa.string())
    offsets, text = string_buffers(values)
    starts, ends = offsets[:-1], offsets[1:]
    candidate = ends <= starts
    if len(text):
        # Outside "!".."~" (0x21..0x7E): one unsigned subtraction puts both sides above 0x5D.
        first = text[np.minimum(starts, len(text) - 1)] - np.uint8(0x21)
        last = text[np.maximum(ends - 1, 0)] - np.uint8(0x21)
        candidate |= (first >= np.uint8(0x5E)) | (last >= np.uint8(0x5E))
    if candidate.any():
        candidate &= pc.is_valid(values).to_numpy(zero_copy_only=False)
    if not candidate.any():
        return values
    kept = values.filter(candidate)
    trimmed = pc.utf8_trim(kept, WHITESPACE)
    blank = pc.equal(pc.binary_length(trimmed), 0)
    if keep_text and not pc.any(blank).as_py():
        return values
    replacement = pc.if_else(blank, NULL, kept if keep_text else trimmed)
    return pc.replace_with_mask(values, pa.array(candidate), replacement)


# The values with surrounding WHITESPACE stripped, and null where nothing is left.
stripped = partial(_apply_blank_rule, keep_text=False)
# The values as they are, but null where nothing is left once WHITESPACE is stripped.
blank_to_null = partial(_apply_blank_rule, keep_text=True)
