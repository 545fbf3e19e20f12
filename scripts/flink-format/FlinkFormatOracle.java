/*
 * The real Flink JSON format (flink-json 2.2.1 from Maven Central, see pom.xml), without a running job: a
 * differential oracle for lib/flink/. It builds the source's deserializer and the sink's key and value
 * serializers exactly as the original job's tables get them, then runs each value through them.
 *
 *   java -cp "$(scripts/flink-format/install.sh classpath)" scripts/flink-format/FlinkFormatOracle.java < values
 *
 * Input, one value a line: its bytes in base64 (an empty line is an empty value), or `null` for a tombstone.
 * Output, one line an input, in order:
 *   WRITTEN <key> <value> [<key> <value> ...]   base64 of what the sink wrote, one pair a row: a top-level
 *                                               JSON array makes one row per element
 *   SKIPPED                                     the deserializer produced no row (nothing written)
 *   FAILED <exception class>: <message>         the job would have failed on this record (the innermost
 *                                               cause; one line, at most 200 characters)
 *
 * How the job's tables build these (Flink 2.2.1, flink-connector-kafka 5.0.0-2.2):
 * - source, 'format' = 'json': KafkaDynamicSource.createDeserialization calls
 *   DecodingFormat.createRuntimeDecoder(context, physicalDataType), which for JsonFormatFactory's
 *   ProjectableDecodingFormat projects every field; with no format options the factory picks
 *   JsonParserRowDataDeserializationSchema ('decode.json-parser.enabled' defaults to true),
 *   'fail-on-missing-field' false, 'ignore-parse-errors' false, 'timestamp-format.standard' SQL.
 *   DynamicKafkaDeserializationSchema (no key format, no metadata) calls
 *   deserialize(record.value(), collector), the Collector form, which this oracle calls too.
 * - sink, 'format' = 'json', 'key.format' = 'json', 'key.fields' = 'ticker': KafkaDynamicSink creates the
 *   value encoder over the whole physical row (value.fields-include ALL) and the key encoder over the row
 *   projected to [ticker]; DynamicKafkaRecordSerializationSchema.serialize builds both rows with
 *   createProjectedRow (RowData.createFieldGetter over the consumed row) and serializes the key first.
 * - Each value is read with a fresh deserializer (open() makes a new ObjectMapper) that has first read one
 *   ordinary record: Jackson's field-name symbol table, which lives as long as the ObjectMapper, then knows
 *   exactly the row's three names, as in a job that has read ordinary records before (the table matters:
 *   a name found there is not decoded again, and the table pads a name's last bytes with 0xFF, so that
 *   "tick\xFFer" is found as "ticker" once "ticker" is known).
 * - Source and sink run chained in one task. Without object reuse (streaming default) the chain copies each
 *   row with RowDataSerializer.copy, which keeps every value (TimestampData as is, BinaryStringData.copy
 *   keeps the Java string) but throws on a null row, as the sink does; so the oracle does not copy.
 */

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.formats.json.JsonFormatFactory;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.connector.Projection;
import org.apache.flink.table.connector.format.DecodingFormat;
import org.apache.flink.table.connector.format.EncodingFormat;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.DataType;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.types.RowKind;
import org.apache.flink.util.Collector;
import org.apache.flink.util.SimpleUserCodeClassLoader;
import org.apache.flink.util.UserCodeClassLoader;

public class FlinkFormatOracle {

    /** The source and sink tables' physical row: event_time TIMESTAMP(3), ticker VARCHAR(6), price DOUBLE. */
    static final DataType PHYSICAL =
            DataTypes.ROW(
                    DataTypes.FIELD("event_time", DataTypes.TIMESTAMP(3)),
                    DataTypes.FIELD("ticker", DataTypes.VARCHAR(6)),
                    DataTypes.FIELD("price", DataTypes.DOUBLE()));

    static final int[] KEY_PROJECTION = {1};
    static final int[] VALUE_PROJECTION = {0, 1, 2};

    static final int MAX_MESSAGE = 200;

    /** An ordinary record, read first with each fresh deserializer (see above). */
    static final byte[] PRIMER =
            "{\"event_time\": \"2023-08-08 04:21:56.484843\", \"ticker\": \"AAPL\", \"price\": 41.72}"
                    .getBytes(StandardCharsets.UTF_8);

    /** What open() gets; the JSON schemas use neither. */
    static final class InitContext
            implements DeserializationSchema.InitializationContext,
                    SerializationSchema.InitializationContext {
        @Override
        public MetricGroup getMetricGroup() {
            return new UnregisteredMetricsGroup();
        }

        @Override
        public UserCodeClassLoader getUserCodeClassLoader() {
            return SimpleUserCodeClassLoader.create(FlinkFormatOracle.class.getClassLoader());
        }
    }

    /**
     * The planner's ScanRuntimeProviderContext gives InternalTypeInfo.of(type) (flink-table-runtime); the
     * format only keeps it for getProducedType(), which nothing here calls.
     */
    static final class SourceContext implements DynamicTableSource.Context {
        @Override
        public <T> TypeInformation<T> createTypeInformation(DataType producedDataType) {
            return createTypeInformation(producedDataType.getLogicalType());
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> TypeInformation<T> createTypeInformation(LogicalType producedLogicalType) {
            return (TypeInformation<T>) TypeInformation.of(RowData.class);
        }

        @Override
        public DynamicTableSource.DataStructureConverter createDataStructureConverter(
                DataType producedDataType) {
            throw new UnsupportedOperationException();
        }
    }

    /** A list collector, as the Kafka source's collector sees the rows. */
    static final class Rows implements Collector<RowData> {
        final List<RowData> rows = new ArrayList<>();

        @Override
        public void collect(RowData record) {
            rows.add(record);
        }

        @Override
        public void close() {}
    }

    /** DynamicKafkaRecordSerializationSchema.createProjectedRow. */
    static RowData createProjectedRow(
            RowData consumedRow, RowKind kind, RowData.FieldGetter[] fieldGetters) {
        final int arity = fieldGetters.length;
        final GenericRowData genericRowData = new GenericRowData(kind, arity);
        for (int fieldPos = 0; fieldPos < arity; fieldPos++) {
            genericRowData.setField(fieldPos, fieldGetters[fieldPos].getFieldOrNull(consumedRow));
        }
        return genericRowData;
    }

    /** KafkaDynamicSink.getFieldGetters. */
    static RowData.FieldGetter[] fieldGetters(int[] projection) {
        List<LogicalType> physicalChildren = PHYSICAL.getLogicalType().getChildren();
        RowData.FieldGetter[] getters = new RowData.FieldGetter[projection.length];
        for (int i = 0; i < projection.length; i++) {
            getters[i] = RowData.createFieldGetter(physicalChildren.get(projection[i]), projection[i]);
        }
        return getters;
    }

    static String describe(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        String message = root.getClass().getName() + ": " + root.getMessage();
        StringBuilder line = new StringBuilder(Math.min(message.length(), MAX_MESSAGE));
        for (int i = 0; i < message.length() && line.length() < MAX_MESSAGE; i++) {
            char c = message.charAt(i);
            line.append(c < 0x20 || c == 0x7f ? ' ' : c);
        }
        return line.toString();
    }

    public static void main(String[] args) throws Exception {
        JsonFormatFactory factory = new JsonFormatFactory();
        // No 'json.*' (nor 'key.json.*') options in the DDL: the format sees an empty configuration.
        Configuration noOptions = new Configuration();

        // Neither createDecodingFormat nor createEncodingFormat reads its DynamicTableFactory.Context.
        DecodingFormat<DeserializationSchema<RowData>> valueDecoding =
                factory.createDecodingFormat(null, noOptions);
        EncodingFormat<SerializationSchema<RowData>> valueEncoding =
                factory.createEncodingFormat(null, noOptions);
        EncodingFormat<SerializationSchema<RowData>> keyEncoding =
                factory.createEncodingFormat(null, noOptions);

        DeserializationSchema<RowData> deserializer =
                valueDecoding.createRuntimeDecoder(
                        new SourceContext(), Projection.of(VALUE_PROJECTION).project(PHYSICAL));
        // JsonFormatFactory's encoder ignores its DynamicTableSink.Context.
        SerializationSchema<RowData> keySerializer =
                keyEncoding.createRuntimeEncoder(null, Projection.of(KEY_PROJECTION).project(PHYSICAL));
        SerializationSchema<RowData> valueSerializer =
                valueEncoding.createRuntimeEncoder(
                        null, Projection.of(VALUE_PROJECTION).project(PHYSICAL));

        InitContext init = new InitContext();
        deserializer.open(init);
        // DynamicKafkaRecordSerializationSchema.open: the key's schema first, then the value's.
        keySerializer.open(init);
        valueSerializer.open(init);

        RowData.FieldGetter[] keyGetters = fieldGetters(KEY_PROJECTION);
        RowData.FieldGetter[] valueGetters = fieldGetters(VALUE_PROJECTION);

        if (args.length > 0 && args[0].equals("--describe")) {
            System.out.println("deserializer " + deserializer.getClass().getName());
            System.out.println("key serializer " + keySerializer.getClass().getName());
            System.out.println("value serializer " + valueSerializer.getClass().getName());
            return;
        }

        Base64.Decoder decoder = Base64.getDecoder();
        Base64.Encoder encoder = Base64.getEncoder();
        BufferedReader in =
                new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII), 1 << 16);
        PrintStream out =
                new PrintStream(
                        new java.io.BufferedOutputStream(System.out, 1 << 16),
                        false,
                        StandardCharsets.UTF_8);
        Rows rows = new Rows();
        String line;
        while ((line = in.readLine()) != null) {
            byte[] value = line.equals("null") ? null : decoder.decode(line.trim());
            rows.rows.clear();
            StringBuilder written = new StringBuilder("WRITTEN");
            String result;
            try {
                deserializer.open(init);
                deserializer.deserialize(PRIMER, new Rows());
                deserializer.deserialize(value, rows);
                for (RowData consumedRow : rows.rows) {
                    RowData keyRow = createProjectedRow(consumedRow, RowKind.INSERT, keyGetters);
                    byte[] key = keySerializer.serialize(keyRow);
                    RowData valueRow =
                            createProjectedRow(consumedRow, consumedRow.getRowKind(), valueGetters);
                    byte[] serialized = valueSerializer.serialize(valueRow);
                    written.append(' ').append(encoder.encodeToString(key));
                    written.append(' ').append(encoder.encodeToString(serialized));
                }
                result = rows.rows.isEmpty() ? "SKIPPED" : written.toString();
            } catch (Throwable error) {
                result = "FAILED " + describe(error);
            }
            out.println(result);
            // Flush per line only when a person is typing (no input is waiting): batches stay fast.
            if (!in.ready()) out.flush();
        }
        out.flush();
    }
}
