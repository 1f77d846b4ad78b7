// TensorFlow protobuf messages this tool reads (SavedModel, GraphDef, checkpoint bundle),
// as protobufjs JSON definitions. Only the fields we use are listed; field numbers are the
// TensorFlow format's (core/framework/*.proto, core/protobuf/*.proto).
import protobuf from 'protobufjs';

const schema = {
  nested: {
    tensorflow: {
      nested: {
        DataType: {
          values: {
            DT_INVALID: 0, DT_FLOAT: 1, DT_DOUBLE: 2, DT_INT32: 3, DT_UINT8: 4, DT_INT16: 5, DT_INT8: 6,
            DT_STRING: 7, DT_COMPLEX64: 8, DT_INT64: 9, DT_BOOL: 10, DT_QINT8: 11, DT_QUINT8: 12,
            DT_QINT32: 13, DT_BFLOAT16: 14, DT_QINT16: 15, DT_QUINT16: 16, DT_UINT16: 17,
            DT_COMPLEX128: 18, DT_HALF: 19, DT_RESOURCE: 20, DT_VARIANT: 21, DT_UINT32: 22, DT_UINT64: 23,
          },
        },
        TensorShapeProto: {
          fields: {
            dim: { rule: 'repeated', type: 'Dim', id: 2 },
            unknownRank: { type: 'bool', id: 3 },
          },
          nested: { Dim: { fields: { size: { type: 'int64', id: 1 }, name: { type: 'string', id: 2 } } } },
        },
        TensorProto: {
          fields: {
            dtype: { type: 'DataType', id: 1 },
            tensorShape: { type: 'TensorShapeProto', id: 2 },
            tensorContent: { type: 'bytes', id: 4 },
            halfVal: { rule: 'repeated', type: 'int32', id: 13 },
            floatVal: { rule: 'repeated', type: 'float', id: 5 },
            doubleVal: { rule: 'repeated', type: 'double', id: 6 },
            intVal: { rule: 'repeated', type: 'int32', id: 7 },
            stringVal: { rule: 'repeated', type: 'bytes', id: 8 },
            int64Val: { rule: 'repeated', type: 'int64', id: 10 },
            boolVal: { rule: 'repeated', type: 'bool', id: 11 },
          },
        },
        AttrValue: {
          oneofs: { value: { oneof: ['s', 'i', 'f', 'b', 'type', 'shape', 'tensor', 'list', 'func', 'placeholder'] } },
          fields: {
            list: { type: 'ListValue', id: 1 },
            s: { type: 'bytes', id: 2 },
            i: { type: 'int64', id: 3 },
            f: { type: 'float', id: 4 },
            b: { type: 'bool', id: 5 },
            type: { type: 'DataType', id: 6 },
            shape: { type: 'TensorShapeProto', id: 7 },
            tensor: { type: 'TensorProto', id: 8 },
            placeholder: { type: 'string', id: 9 },
            func: { type: 'NameAttrList', id: 10 },
          },
          nested: {
            ListValue: {
              fields: {
                s: { rule: 'repeated', type: 'bytes', id: 2 },
                i: { rule: 'repeated', type: 'int64', id: 3 },
                f: { rule: 'repeated', type: 'float', id: 4 },
                b: { rule: 'repeated', type: 'bool', id: 5 },
                type: { rule: 'repeated', type: 'DataType', id: 6 },
                shape: { rule: 'repeated', type: 'TensorShapeProto', id: 7 },
                tensor: { rule: 'repeated', type: 'TensorProto', id: 8 },
                func: { rule: 'repeated', type: 'NameAttrList', id: 9 },
              },
            },
          },
        },
        NameAttrList: {
          fields: {
            name: { type: 'string', id: 1 },
            attr: { keyType: 'string', type: 'AttrValue', id: 2 },
          },
        },
        NodeDef: {
          fields: {
            name: { type: 'string', id: 1 },
            op: { type: 'string', id: 2 },
            input: { rule: 'repeated', type: 'string', id: 3 },
            device: { type: 'string', id: 4 },
            attr: { keyType: 'string', type: 'AttrValue', id: 5 },
          },
        },
        OpDefArg: { fields: { name: { type: 'string', id: 1 } } },
        OpDef: {
          fields: {
            name: { type: 'string', id: 1 },
            inputArg: { rule: 'repeated', type: 'OpDefArg', id: 2 },
            outputArg: { rule: 'repeated', type: 'OpDefArg', id: 3 },
          },
        },
        FunctionDef: {
          fields: {
            signature: { type: 'OpDef', id: 1 },
            nodeDef: { rule: 'repeated', type: 'NodeDef', id: 3 },
            ret: { keyType: 'string', type: 'string', id: 4 },
          },
        },
        FunctionDefLibrary: { fields: { function: { rule: 'repeated', type: 'FunctionDef', id: 1 } } },
        GraphDef: {
          fields: {
            node: { rule: 'repeated', type: 'NodeDef', id: 1 },
            library: { type: 'FunctionDefLibrary', id: 2 },
          },
        },
        TensorInfo: {
          fields: {
            name: { type: 'string', id: 1 },
            dtype: { type: 'DataType', id: 2 },
            tensorShape: { type: 'TensorShapeProto', id: 3 },
          },
        },
        SignatureDef: {
          fields: {
            inputs: { keyType: 'string', type: 'TensorInfo', id: 1 },
            outputs: { keyType: 'string', type: 'TensorInfo', id: 2 },
            methodName: { type: 'string', id: 3 },
          },
        },
        MetaInfoDef: {
          fields: {
            metaGraphVersion: { type: 'string', id: 1 },
            tags: { rule: 'repeated', type: 'string', id: 4 },
            tensorflowVersion: { type: 'string', id: 5 },
            tensorflowGitVersion: { type: 'string', id: 6 },
          },
        },
        ObjectReference: { fields: { nodeId: { type: 'int32', id: 1 }, localName: { type: 'string', id: 2 } } },
        SavedUserObject: {
          fields: { identifier: { type: 'string', id: 1 }, metadata: { type: 'string', id: 3 } },
        },
        SavedVariable: {
          fields: {
            dtype: { type: 'DataType', id: 1 },
            shape: { type: 'TensorShapeProto', id: 2 },
            trainable: { type: 'bool', id: 3 },
            name: { type: 'string', id: 6 },
          },
        },
        SavedObject: {
          fields: {
            children: { rule: 'repeated', type: 'ObjectReference', id: 1 },
            userObject: { type: 'SavedUserObject', id: 4 },
            variable: { type: 'SavedVariable', id: 7 },
          },
        },
        SavedObjectGraph: { fields: { nodes: { rule: 'repeated', type: 'SavedObject', id: 1 } } },
        MetaGraphDef: {
          fields: {
            metaInfoDef: { type: 'MetaInfoDef', id: 1 },
            graphDef: { type: 'GraphDef', id: 2 },
            signatureDef: { keyType: 'string', type: 'SignatureDef', id: 5 },
            objectGraphDef: { type: 'SavedObjectGraph', id: 7 },
          },
        },
        SavedModel: {
          fields: {
            savedModelSchemaVersion: { type: 'int64', id: 1 },
            metaGraphs: { rule: 'repeated', type: 'MetaGraphDef', id: 2 },
          },
        },
        BundleHeaderProto: {
          fields: { numShards: { type: 'int32', id: 1 }, endianness: { type: 'int32', id: 2 } },
        },
        TensorSliceProto: { fields: {} },
        BundleEntryProto: {
          fields: {
            dtype: { type: 'DataType', id: 1 },
            shape: { type: 'TensorShapeProto', id: 2 },
            shardId: { type: 'int32', id: 3 },
            offset: { type: 'int64', id: 4 },
            size: { type: 'int64', id: 5 },
            crc32c: { type: 'fixed32', id: 6 },
            slices: { rule: 'repeated', type: 'TensorSliceProto', id: 7 },
          },
        },
      },
    },
  },
};

export const tensorflowProtos = protobuf.Root.fromJSON(schema);

export function protoType(name: string): protobuf.Type {
  return tensorflowProtos.lookupType(`tensorflow.${name}`);
}

/**
 * A protobuf message decoded from a file's bytes; when the bytes do not decode, one typed line
 * saying where they broke (protobufjs reports a wire type or a read past the end).
 */
export function decodeProto<T>(type: protobuf.Type, bytes: Uint8Array, what: string, ErrorType: new (message: string) => Error, options: protobuf.IConversionOptions = {}): T {
  try {
    return type.toObject(type.decode(bytes), options) as T;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const wire = /invalid wire type (\d+) at offset (\d+)/.exec(message);
    const range = /index out of range: (\d+) \+ (\d+) > (\d+)/.exec(message);
    const where = wire
      ? `damaged at byte ${wire[2]} (a field with the impossible encoding ${wire[1]})`
      : range
        ? `truncated (a field at byte ${range[1]} needs ${range[2]} bytes, the ${type.name} has ${range[3]})`
        : 'damaged (its fields do not decode)';
    throw new ErrorType(`${what}: ${where}; the file is corrupt, export it again.`);
  }
}
