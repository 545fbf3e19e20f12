import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;

/**
 * Prints, one per line, the partition the Java producer's default partitioner picks for each key:
 *   java -cp kafka-clients.jar JavaPartitioner.java NUM_PARTITIONS KEY...
 * The tests compare it with where kafkajs put the records.
 */
public class JavaPartitioner {
  public static void main(String[] args) {
    int partitions = Integer.parseInt(args[0]);
    for (int i = 1; i < args.length; i++) {
      byte[] key = args[i].getBytes(StandardCharsets.UTF_8);
      System.out.println(BuiltInPartitioner.partitionForKey(key, partitions));
    }
  }
}
