"""The value codec and framing: only values cross, nothing is unpickled, malformed input is refused."""

import os
import threading
import time

import numpy as np
import pytest

from autograder.protocol import Decoder, Encoder, Handle, ProtocolError, read_frame, write_frame


def roundtrip(value, on_other=None):
    encoder = Encoder(on_other=on_other)
    tree = encoder.encode(value)
    read_fd, write_fd = os.pipe()
    try:
        threading.Thread(target=write_frame, args=(write_fd, {"value": tree}, encoder.blobs)).start()
        msg, blobs = read_frame(read_fd)
    finally:
        os.close(read_fd)
        os.close(write_fd)
    return Decoder(blobs, on_handle=lambda i, t: Handle(i, t)).decode(msg["value"])


def test_values_roundtrip_with_types():
    value = {"a": [1, 2.5, None, True, "s"], 3: (np.arange(6.0).reshape(2, 3), np.float32(1.5)), "nan": float("nan")}
    back = roundtrip(value)
    assert back["a"] == [1, 2.5, None, True, "s"]
    assert isinstance(back[3], tuple)
    np.testing.assert_array_equal(back[3][0], value[3][0])
    assert back[3][1].dtype == np.float32 and back[3][1] == np.float32(1.5)
    assert np.isnan(back["nan"])


def test_float32_arrays_keep_their_dtype():
    back = roundtrip(np.ones((2, 2), dtype=np.float32))
    assert back.dtype == np.float32


def test_array_subclass_becomes_plain_ndarray():
    class Liar(np.ndarray):
        def __eq__(self, other):
            return True

    liar = np.arange(3.0).view(Liar)
    back = roundtrip(liar)
    assert type(back) is np.ndarray
    assert not (back == np.array([9.0, 9.0, 9.0])).any()


def test_non_values_are_refused_without_a_fallback():
    with pytest.raises(TypeError):
        Encoder().encode(object())
    with pytest.raises(TypeError):
        Encoder().encode(np.array([object()], dtype=object))


def test_non_values_become_handles_with_a_fallback():
    back = roundtrip({"cache": object()}, on_other=lambda obj: {"~": "handle", "id": 7, "type": type(obj).__name__})
    assert isinstance(back["cache"], Handle) and back["cache"].id == 7


@pytest.mark.parametrize("tree", [{"~": "pickle", "v": "x"}, {"plain": "object"}, {"~": "nd", "i": 5}, {"~": "dict", "v": [[{"~": "tuple", "v": [[1]]}, 1]]}])
def test_decoder_refuses_malformed_values(tree):
    with pytest.raises(ProtocolError):
        Decoder([]).decode(tree)


def test_decoder_refuses_pickled_arrays():
    import io
    buffer = io.BytesIO()
    np.save(buffer, np.array([{"evil": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(ProtocolError):
        Decoder([buffer.getvalue()]).decode({"~": "nd", "i": 0})


def test_read_frame_refuses_oversized_and_garbage_headers():
    read_fd, write_fd = os.pipe()
    try:
        os.write(write_fd, (1 << 40).to_bytes(8, "big"))
        with pytest.raises(ProtocolError):
            read_frame(read_fd)
        os.write(write_fd, (5).to_bytes(8, "big") + b"nope!")
        with pytest.raises(ProtocolError):
            read_frame(read_fd)
    finally:
        os.close(read_fd)
        os.close(write_fd)


def test_read_frame_times_out_on_half_a_frame():
    read_fd, write_fd = os.pipe()
    try:
        os.set_blocking(read_fd, False)
        os.write(write_fd, (100).to_bytes(8, "big") + b'{"msg":')
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            read_frame(read_fd, deadline=time.monotonic() + 0.3)
        assert time.monotonic() - started < 2
    finally:
        os.close(read_fd)
        os.close(write_fd)


def test_random_generators_cross_as_their_state():
    rng = np.random.default_rng(42)
    rng.normal(size=3)
    copy = roundtrip(rng)
    assert isinstance(copy, np.random.Generator) and copy is not rng
    np.testing.assert_array_equal(copy.normal(size=5), rng.normal(size=5))
    mt = np.random.Generator(np.random.MT19937(5))
    np.testing.assert_array_equal(roundtrip(mt).integers(0, 100, 10), mt.integers(0, 100, 10))


def test_malformed_generator_state_is_refused():
    with pytest.raises(ProtocolError):
        Decoder([]).decode({"~": "rng", "state": {"~": "dict", "v": [["bit_generator", "os.system"]]}})
    with pytest.raises(ProtocolError):
        Decoder([]).decode({"~": "rng", "state": {"~": "dict", "v": [["bit_generator", "PCG64"], ["state", "junk"]]}})
