#!/usr/bin/env python3
"""EdgeQuant board-side runner: Python 3 standard library plus the best TFLite runtime found.

Runtimes, best first: ai_edge_litert, tflite_runtime, tensorflow.lite (these need numpy),
then the TFLite C API through ctypes (libtensorflowlite_c.so from --tflite-lib, else
$EDGEQUANT_TFLITE_LIB, else the loader path: LD_LIBRARY_PATH, /usr/local/lib, /usr/lib).

  edgequant_runner.py probe
  edgequant_runner.py bench --model M.tflite [--runs N] [--warmup N] [--threads N]
                            [--input X.npy ...] [--outputs-dir DIR] [--runtime NAME]

Prints one JSON document on stdout: {"protocol": 1, "ok": true, ...} or
{"protocol": 1, "ok": false, "error": "..."} (exit 1; exit 3 when no runtime is usable).
"""
import argparse
import ast
import base64
import ctypes
import ctypes.util
import glob
import importlib.util
import json
import os
import platform
import random
import struct
import sys
import time

PROTOCOL = 1
INLINE_OUTPUT_LIMIT = 4 * 1024 * 1024


class RunnerError(Exception):
    def __init__(self, message, exit_code=1):
        super().__init__(message)
        self.exit_code = exit_code


# ---------------------------------------------------------------- dtypes and .npy files
# name -> (npy descr, struct/array code, bytes)
DTYPES = {
    'float32': ('<f4', 'f', 4), 'float64': ('<f8', 'd', 8), 'float16': ('<f2', 'e', 2),
    'int8': ('|i1', 'b', 1), 'uint8': ('|u1', 'B', 1), 'int16': ('<i2', 'h', 2),
    'uint16': ('<u2', 'H', 2), 'int32': ('<i4', 'i', 4), 'uint32': ('<u4', 'I', 4),
    'int64': ('<i8', 'q', 8), 'bool': ('|b1', '?', 1),
}
DESCR_TO_DTYPE = {v[0]: k for k, v in DTYPES.items()}
DESCR_TO_DTYPE.update({'<i1': 'int8', '<u1': 'uint8', '|?': 'bool', '<b1': 'bool'})
# TfLiteType enum values (tensorflow/lite/core/c/c_api_types.h)
TFLITE_TYPES = {1: 'float32', 2: 'int32', 3: 'uint8', 4: 'int64', 6: 'bool', 7: 'int16',
                9: 'int8', 10: 'float16', 11: 'float64', 13: 'uint64', 16: 'uint32', 17: 'uint16'}


def read_npy(path):
    with open(path, 'rb') as f:
        data = f.read()
    if data[:6] != b'\x93NUMPY':
        raise RunnerError('%s is not a .npy file' % path)
    major = data[6]
    if major == 1:
        header_len = struct.unpack('<H', data[8:10])[0]
        start = 10
    else:
        header_len = struct.unpack('<I', data[8:12])[0]
        start = 12
    header = ast.literal_eval(data[start:start + header_len].decode('latin1'))
    descr = header['descr']
    if descr not in DESCR_TO_DTYPE:
        raise RunnerError('%s: unsupported .npy dtype %s' % (path, descr))
    if header.get('fortran_order'):
        raise RunnerError('%s: Fortran-ordered .npy is not supported; save it C-ordered' % path)
    dtype = DESCR_TO_DTYPE[descr]
    shape = list(header['shape'])
    count = 1
    for d in shape:
        count *= d
    body = data[start + header_len:start + header_len + count * DTYPES[dtype][2]]
    if len(body) != count * DTYPES[dtype][2]:
        raise RunnerError('%s: file is shorter than its header says' % path)
    return dtype, shape, body


def write_npy(path, dtype, shape, body):
    shape_text = '(%s)' % (', '.join(str(d) for d in shape) + (',' if len(shape) == 1 else ''))
    header = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (DTYPES[dtype][0], shape_text)
    pad = 64 - (10 + len(header) + 1) % 64
    header = header + ' ' * pad + '\n'
    with open(path, 'wb') as f:
        f.write(b'\x93NUMPY\x01\x00' + struct.pack('<H', len(header)) + header.encode('latin1') + body)


def convert_sample(body, src, dst, quant):
    """Turns one sample's bytes of dtype src into dtype dst (quantizing floats if needed)."""
    if src == dst:
        return body
    values = struct.unpack('<%d%s' % (len(body) // DTYPES[src][2], DTYPES[src][1]), body)
    if dst in ('int8', 'uint8', 'int16') and src in ('float32', 'float64', 'float16'):
        scale, zero = quant if quant and quant[0] else (1.0, 0)
        lo, hi = {'int8': (-128, 127), 'uint8': (0, 255), 'int16': (-32768, 32767)}[dst]
        values = [min(hi, max(lo, int(round(v / scale)) + zero)) for v in values]
    elif dst in ('float32', 'float64', 'float16'):
        values = [float(v) for v in values]
    else:
        raise RunnerError('cannot feed %s data to a %s input; convert the .npy first' % (src, dst))
    return struct.pack('<%d%s' % (len(values), DTYPES[dst][1]), *values)


# ---------------------------------------------------------------- board facts
def read_temperature():
    temps = []
    for path in glob.glob('/sys/class/thermal/thermal_zone*/temp'):
        try:
            with open(path) as f:
                temps.append(int(f.read().strip()) / 1000.0)
        except (OSError, ValueError):
            pass
    return max(temps) if temps else None


def peak_rss_mb():
    try:
        import resource
        kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return round(kb / (1024.0 * 1024.0) if sys.platform == 'darwin' else kb / 1024.0, 2)
    except (ImportError, OSError):
        return None


def find_c_library(explicit):
    if explicit:
        if not os.path.isfile(explicit):
            raise RunnerError('TFLite C library %s does not exist on the board' % explicit)
        return explicit
    if os.environ.get('EDGEQUANT_TFLITE_LIB'):
        return os.environ['EDGEQUANT_TFLITE_LIB']
    dirs = [d for d in os.environ.get('LD_LIBRARY_PATH', '').split(':') if d]
    dirs += ['/usr/local/lib', '/usr/lib', '/usr/lib/%s-linux-gnu' % platform.machine(), '/usr/lib64']
    for d in dirs:
        for name in ('libtensorflowlite_c.so', 'libtensorflowlite_c.so.2'):
            if os.path.isfile(os.path.join(d, name)):
                return os.path.join(d, name)
    return ctypes.util.find_library('tensorflowlite_c')


def package_version(module_name, dist_names):
    try:
        from importlib import metadata
        for dist in dist_names:
            try:
                return metadata.version(dist)
            except metadata.PackageNotFoundError:
                pass
    except ImportError:
        pass
    return None


PY_RUNTIMES = [
    ('ai_edge_litert', 'ai_edge_litert.interpreter', ['ai-edge-litert', 'ai-edge-litert-nightly']),
    ('tflite_runtime', 'tflite_runtime.interpreter', ['tflite-runtime', 'tflite_runtime']),
    ('tensorflow', 'tensorflow', ['tensorflow', 'tensorflow-cpu', 'tensorflow-aarch64']),
]


def available_runtimes(tflite_lib):
    found = []
    has_numpy = importlib.util.find_spec('numpy') is not None
    for name, module, dists in PY_RUNTIMES:
        top = module.split('.')[0]
        if importlib.util.find_spec(top) is not None:
            found.append({'name': name, 'version': package_version(top, dists), 'usable': has_numpy})
    try:
        lib = find_c_library(tflite_lib)
    except RunnerError:
        lib = None
    if lib:
        found.append({'name': 'tflite-c', 'path': lib, 'version': None, 'usable': True})
    return found


# ---------------------------------------------------------------- the C API through ctypes
class _Quant(ctypes.Structure):
    _fields_ = [('scale', ctypes.c_float), ('zero_point', ctypes.c_int32)]


class CApiInterpreter:
    name = 'tflite-c'

    def __init__(self, model_path, threads, lib_path):
        try:
            lib = ctypes.CDLL(lib_path)
        except OSError as e:
            raise RunnerError('cannot load TFLite C library %s: %s' % (lib_path, e), 3)
        self.lib = lib
        vp = ctypes.c_void_p
        sigs = {
            'TfLiteVersion': ([], ctypes.c_char_p),
            'TfLiteModelCreateFromFile': ([ctypes.c_char_p], vp),
            'TfLiteInterpreterOptionsCreate': ([], vp),
            'TfLiteInterpreterOptionsSetNumThreads': ([vp, ctypes.c_int32], None),
            'TfLiteInterpreterCreate': ([vp, vp], vp),
            'TfLiteInterpreterAllocateTensors': ([vp], ctypes.c_int),
            'TfLiteInterpreterInvoke': ([vp], ctypes.c_int),
            'TfLiteInterpreterGetInputTensorCount': ([vp], ctypes.c_int32),
            'TfLiteInterpreterGetOutputTensorCount': ([vp], ctypes.c_int32),
            'TfLiteInterpreterGetInputTensor': ([vp, ctypes.c_int32], vp),
            'TfLiteInterpreterGetOutputTensor': ([vp, ctypes.c_int32], vp),
            'TfLiteTensorType': ([vp], ctypes.c_int),
            'TfLiteTensorNumDims': ([vp], ctypes.c_int32),
            'TfLiteTensorDim': ([vp, ctypes.c_int32], ctypes.c_int32),
            'TfLiteTensorByteSize': ([vp], ctypes.c_size_t),
            'TfLiteTensorName': ([vp], ctypes.c_char_p),
            'TfLiteTensorQuantizationParams': ([vp], _Quant),
            'TfLiteTensorCopyFromBuffer': ([vp, vp, ctypes.c_size_t], ctypes.c_int),
            'TfLiteTensorCopyToBuffer': ([vp, vp, ctypes.c_size_t], ctypes.c_int),
            'TfLiteInterpreterDelete': ([vp], None),
            'TfLiteInterpreterOptionsDelete': ([vp], None),
            'TfLiteModelDelete': ([vp], None),
        }
        for fn, (args, res) in sigs.items():
            f = getattr(lib, fn)
            f.argtypes = args
            f.restype = res
        self.version = lib.TfLiteVersion().decode()
        self.model = lib.TfLiteModelCreateFromFile(model_path.encode())
        if not self.model:
            raise RunnerError('the TFLite C library could not load %s (not a valid .tflite?)' % model_path)
        self.options = lib.TfLiteInterpreterOptionsCreate()
        lib.TfLiteInterpreterOptionsSetNumThreads(self.options, threads)
        self.interp = lib.TfLiteInterpreterCreate(self.model, self.options)
        if not self.interp:
            raise RunnerError('the TFLite C library could not build an interpreter (unsupported ops?)')
        if lib.TfLiteInterpreterAllocateTensors(self.interp) != 0:
            raise RunnerError('AllocateTensors failed')
        self.inputs = [self._describe(lib.TfLiteInterpreterGetInputTensor(self.interp, i))
                       for i in range(lib.TfLiteInterpreterGetInputTensorCount(self.interp))]
        self.outputs = [self._describe(lib.TfLiteInterpreterGetOutputTensor(self.interp, i))
                        for i in range(lib.TfLiteInterpreterGetOutputTensorCount(self.interp))]

    def _describe(self, t):
        lib = self.lib
        code = lib.TfLiteTensorType(t)
        if code not in TFLITE_TYPES:
            raise RunnerError('tensor type %d is not supported by the runner' % code)
        q = lib.TfLiteTensorQuantizationParams(t)
        return {'handle': t, 'name': (lib.TfLiteTensorName(t) or b'').decode(),
                'dtype': TFLITE_TYPES[code],
                'shape': [lib.TfLiteTensorDim(t, d) for d in range(lib.TfLiteTensorNumDims(t))],
                'bytes': lib.TfLiteTensorByteSize(t),
                'quant': [q.scale, q.zero_point] if q.scale else None}

    def set_input(self, i, body):
        buf = ctypes.create_string_buffer(body, len(body))
        if self.lib.TfLiteTensorCopyFromBuffer(self.inputs[i]['handle'], buf, len(body)) != 0:
            raise RunnerError('input %d: copy failed (size %d)' % (i, len(body)))

    def invoke(self):
        if self.lib.TfLiteInterpreterInvoke(self.interp) != 0:
            raise RunnerError('Invoke failed')

    def get_output(self, i):
        n = self.outputs[i]['bytes']
        buf = ctypes.create_string_buffer(n)
        self.lib.TfLiteTensorCopyToBuffer(self.outputs[i]['handle'], buf, n)
        return buf.raw

    def close(self):
        self.lib.TfLiteInterpreterDelete(self.interp)
        self.lib.TfLiteInterpreterOptionsDelete(self.options)
        self.lib.TfLiteModelDelete(self.model)


# ---------------------------------------------------------------- Python packages (numpy)
class PyInterpreter:
    def __init__(self, name, model_path, threads):
        import numpy as np
        self.np = np
        self.name = name
        if name == 'ai_edge_litert':
            from ai_edge_litert.interpreter import Interpreter
            self.version = package_version('ai_edge_litert', PY_RUNTIMES[0][2])
        elif name == 'tflite_runtime':
            from tflite_runtime.interpreter import Interpreter
            import tflite_runtime
            self.version = getattr(tflite_runtime, '__version__', None)
        else:
            import tensorflow as tf
            Interpreter = tf.lite.Interpreter
            self.version = tf.__version__
        self.interp = Interpreter(model_path=model_path, num_threads=threads)
        self.interp.allocate_tensors()
        self.inputs = [self._describe(d) for d in self.interp.get_input_details()]
        self.outputs = [self._describe(d) for d in self.interp.get_output_details()]

    def _describe(self, d):
        dtype = self.np.dtype(d['dtype']).name
        scale, zero = d.get('quantization', (0.0, 0))
        shape = [int(x) for x in d['shape']]
        size = DTYPES[dtype][2]
        for x in shape:
            size *= x
        return {'index': d['index'], 'name': d['name'], 'dtype': dtype, 'shape': shape, 'bytes': size,
                'quant': [float(scale), int(zero)] if scale else None}

    def set_input(self, i, body):
        info = self.inputs[i]
        arr = self.np.frombuffer(body, dtype=DTYPES[info['dtype']][0]).reshape(info['shape'])
        self.interp.set_tensor(info['index'], arr)

    def invoke(self):
        self.interp.invoke()

    def get_output(self, i):
        return self.np.ascontiguousarray(self.interp.get_tensor(self.outputs[i]['index'])).astype(
            DTYPES[self.outputs[i]['dtype']][0]).tobytes()

    def close(self):
        pass


def open_interpreter(model_path, threads, wanted, tflite_lib):
    has_numpy = importlib.util.find_spec('numpy') is not None
    tried = []
    for name, module, _ in PY_RUNTIMES:
        if wanted not in ('auto', name):
            continue
        if importlib.util.find_spec(module.split('.')[0]) is None:
            continue
        if not has_numpy:
            tried.append('%s (numpy missing)' % name)
            continue
        try:
            return PyInterpreter(name, model_path, threads)
        except ImportError as e:  # a broken install: say so and try the next runtime
            tried.append('%s (%s)' % (name, e))
    if wanted in ('auto', 'tflite-c'):
        lib = find_c_library(tflite_lib)
        if lib:
            return CApiInterpreter(model_path, threads, lib)
        tried.append('tflite-c (libtensorflowlite_c.so not found on the loader path)')
    raise RunnerError('no TFLite runtime usable on this board (%s); install ai-edge-litert or set the '
                      'device\'s TFLite C library path' % ('; '.join(tried) or 'none installed'), 3)


# ---------------------------------------------------------------- heartbeat
class Heartbeat:
    """A progress line on stderr about once a second. Besides telling progress, it ends the
    runner when the host went away: writing to a closed SSH channel raises BrokenPipeError."""

    def __init__(self):
        self.last = 0.0

    def beat(self, stage, done, total):
        now = time.monotonic()
        if now - self.last < 1.0:
            return
        self.last = now
        try:
            sys.stderr.write('EQPROGRESS %s\n' % json.dumps({'stage': stage, 'done': done, 'total': total}))
            sys.stderr.flush()
        except (BrokenPipeError, OSError):
            os._exit(141)


HEARTBEAT = Heartbeat()


# ---------------------------------------------------------------- commands
def sample_inputs(interp, files):
    """Per-sample lists of input byte strings, from .npy files (one per model input)."""
    if len(files) != len(interp.inputs):
        raise RunnerError('the model has %d inputs but %d --input files were given' % (len(interp.inputs), len(files)))
    per_input = []
    count = None
    for info, path in zip(interp.inputs, files):
        dtype, shape, body = read_npy(path)
        item_shape = info['shape'][1:] if info['shape'] and info['shape'][0] == 1 else info['shape']
        if shape == info['shape']:
            n = 1
        elif shape[1:] == item_shape:
            n = shape[0]
        else:
            raise RunnerError('%s has shape %s; input %s needs %s or [N]+%s' % (path, shape, info['name'], info['shape'], item_shape))
        per_input.append((dtype, n, body, info))
        count = n if count is None else count
        if n != count:
            raise RunnerError('all --input files must hold the same number of samples')
    samples = []
    for s in range(count):
        row = []
        for dtype, n, body, info in per_input:
            step = len(body) // n
            row.append(convert_sample(body[s * step:(s + 1) * step], dtype, info['dtype'], info['quant']))
        samples.append(row)
    return samples


def random_inputs(interp):
    row = []
    for info in interp.inputs:
        if info['dtype'].startswith('float'):
            n = info['bytes'] // DTYPES[info['dtype']][2]
            row.append(struct.pack('<%d%s' % (n, DTYPES[info['dtype']][1]), *[random.random() for _ in range(n)]))
        else:
            row.append(os.urandom(info['bytes']))
    return row


def public(info):
    return {k: info[k] for k in ('name', 'dtype', 'shape', 'quant')}


def cmd_bench(args):
    temp_before = read_temperature()
    t0 = time.perf_counter()
    interp = open_interpreter(args.model, args.threads, args.runtime, args.tflite_lib)
    init_ms = (time.perf_counter() - t0) * 1000.0
    samples = sample_inputs(interp, args.input) if args.input else [random_inputs(interp)]
    outputs = None
    if args.input:
        collected = [[] for _ in interp.outputs]
        for n, row in enumerate(samples):
            HEARTBEAT.beat('samples', n, len(samples))
            # A fresh interpreter per sample: stateful models (LSTM) keep state between invokes.
            fresh = open_interpreter(args.model, args.threads, interp.name, args.tflite_lib)
            for i, body in enumerate(row):
                fresh.set_input(i, body)
            fresh.invoke()
            for o in range(len(fresh.outputs)):
                collected[o].append(fresh.get_output(o))
            fresh.close()
        outputs = []
        for o, info in enumerate(interp.outputs):
            body = b''.join(collected[o])
            item = info['shape'][1:] if info['shape'] and info['shape'][0] == 1 else info['shape']
            entry = dict(public(info), samples=len(samples), shape=[len(samples)] + item)
            if args.outputs_dir:
                os.makedirs(args.outputs_dir, exist_ok=True)
                entry['npy'] = os.path.join(os.path.abspath(args.outputs_dir), 'output_%d.npy' % o)
                write_npy(entry['npy'], info['dtype'], entry['shape'], body)
            if len(body) <= INLINE_OUTPUT_LIMIT:
                entry['base64'] = base64.b64encode(body).decode('ascii')
            outputs.append(entry)
    for k in range(args.warmup):
        HEARTBEAT.beat('warmup', k, args.warmup)
        for i, body in enumerate(samples[k % len(samples)]):
            interp.set_input(i, body)
        interp.invoke()
    latencies = []
    for k in range(args.runs):
        HEARTBEAT.beat('runs', k, args.runs)
        for i, body in enumerate(samples[k % len(samples)]):
            interp.set_input(i, body)
        start = time.perf_counter_ns()
        interp.invoke()
        latencies.append((time.perf_counter_ns() - start) / 1e6)
    result = {
        'protocol': PROTOCOL, 'ok': True,
        'runtime': {'name': interp.name, 'version': interp.version},
        'threads': args.threads, 'warmup': args.warmup, 'runs': args.runs,
        'initMs': round(init_ms, 3),
        'latenciesMs': [round(x, 4) for x in latencies],
        'peakRssMb': peak_rss_mb(),
        'temperatureC': {'before': temp_before, 'after': read_temperature()},
        'inputs': [public(i) for i in interp.inputs],
        'outputs': [public(o) for o in interp.outputs],
        'inputSource': 'file' if args.input else 'random',
        'samples': len(samples),
    }
    if outputs is not None:
        result['sampleOutputs'] = outputs
    interp.close()
    return result


def cmd_probe(args):
    return {
        'protocol': PROTOCOL, 'ok': True,
        'python': platform.python_version(),
        'machine': platform.machine(),
        'numpy': importlib.util.find_spec('numpy') is not None,
        'runtimes': available_runtimes(args.tflite_lib),
        'temperatureC': read_temperature(),
    }


def main(argv):
    parser = argparse.ArgumentParser(prog='edgequant_runner.py')
    sub = parser.add_subparsers(dest='command', required=True)
    probe = sub.add_parser('probe')
    probe.add_argument('--tflite-lib')
    bench = sub.add_parser('bench')
    bench.add_argument('--model', required=True)
    bench.add_argument('--runs', type=int, default=50)
    bench.add_argument('--warmup', type=int, default=5)
    bench.add_argument('--threads', type=int, default=1)
    bench.add_argument('--input', action='append')
    bench.add_argument('--outputs-dir')
    bench.add_argument('--runtime', default='auto', choices=['auto', 'ai_edge_litert', 'tflite_runtime', 'tensorflow', 'tflite-c'])
    bench.add_argument('--tflite-lib')
    args = parser.parse_args(argv)
    try:
        result = cmd_probe(args) if args.command == 'probe' else cmd_bench(args)
        code = 0
    except RunnerError as e:
        result, code = {'protocol': PROTOCOL, 'ok': False, 'error': str(e)}, e.exit_code
    except Exception as e:  # report any failure as JSON so the host can show one line
        result, code = {'protocol': PROTOCOL, 'ok': False, 'error': '%s: %s' % (type(e).__name__, e)}, 1
    sys.stdout.write(json.dumps(result) + '\n')
    return code


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
