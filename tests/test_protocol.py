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


NPY_CASES = [np.zeros((2, 3)), np.arange(5, dtype=">i4"), np.array(3.5), np.float32(2.0), np.array(["ab", "c"]), np.array([b"x"]),
             np.ones((0, 4), bool), np.zeros((3, 0), "c16"), np.asfortranarray(np.arange(6.0).reshape(2, 3)),
             np.arange(24, dtype=np.int8).reshape(2, 3, 4)[:, ::2], np.zeros((1,) * 20), np.zeros(7, np.float16),
             np.array(5, dtype=np.uint64), np.zeros((123456789, 0))]


@pytest.mark.parametrize("array", NPY_CASES, ids=lambda a: f"{a.dtype.str}{a.shape}")
def test_npy_codec_writes_what_np_save_writes_and_reads_both(array):
    import io

    from autograder.npy_codec import array_to_npy, npy_to_array

    saved = io.BytesIO()
    np.save(saved, np.array(array, order="C"), allow_pickle=False)
    assert array_to_npy(array) == saved.getvalue()
    for blob in (array_to_npy(array), saved.getvalue()):
        back = npy_to_array(blob)
        assert back.dtype == array.dtype and back.shape == array.shape and np.array_equal(back, array)
        assert back.flags.writeable and back.flags.owndata  # a private copy, like np.load's


def test_npy_codec_hands_every_other_header_to_np_load():
    import io

    from autograder.npy_codec import array_to_npy, npy_to_array

    fortran = io.BytesIO()
    np.save(fortran, np.asfortranarray(np.arange(6.0).reshape(2, 3)), allow_pickle=False)  # 'fortran_order': True
    assert np.array_equal(npy_to_array(fortran.getvalue()), np.arange(6.0).reshape(2, 3))
    blob = array_to_npy(np.arange(4.0))
    with pytest.raises(ValueError):  # data shorter than the header says: np.load refuses it
        npy_to_array(blob[:-8])
    with pytest.raises(ValueError):
        npy_to_array(b"not an npy file at all")
    with pytest.raises(ProtocolError):  # a datetime array is read, then refused as a value
        Decoder([array_to_npy(np.array(["2020-01-01"], dtype="M8[D]"))]).decode({"~": "nd", "i": 0})


def test_frames_of_any_size_arrive_whole():
    from autograder import protocol

    read_fd, write_fd = os.pipe()
    big = np.arange((protocol._JOIN_BELOW_BYTES // 8) + 10, dtype=np.float64)  # written blob by blob
    received = []
    reader = threading.Thread(target=lambda: received.extend([read_frame(read_fd), read_frame(read_fd)]))
    reader.start()
    try:
        for value in (np.arange(3.0), big):
            encoder = Encoder()
            write_frame(write_fd, {"v": encoder.encode(value)}, encoder.blobs)
        reader.join(timeout=30)
    finally:
        os.close(read_fd)
        os.close(write_fd)
    assert [Decoder(blobs).decode(msg["v"]).shape for msg, blobs in received] == [(3,), big.shape]
