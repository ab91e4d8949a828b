package flinkha.e2e;

import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The job flinkha's end-to-end scenarios run: a throttled number sequence, counted per key in
 * keyed state (so every checkpoint carries real state and a restore has something to restore),
 * printed rarely. Written against the DataStream API that Flink 1.12 to 2.x share, so one source
 * compiles against every version the harness runs.
 *
 * <p>Arguments: {@code [--delay-ms N] [--records N]}; without {@code --records} the job runs until
 * it is cancelled, with it the job FINISHES after N records.
 */
public final class FlinkhaE2eJob {

    private FlinkhaE2eJob() {}

    public static void main(String[] args) throws Exception {
        long delayMs = 5L;
        long records = Long.MAX_VALUE;
        for (int i = 0; i + 1 < args.length; i += 2) {
            if ("--delay-ms".equals(args[i])) {
                delayMs = Long.parseLong(args[i + 1]);
            } else if ("--records".equals(args[i])) {
                records = Long.parseLong(args[i + 1]);
            } else {
                throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.fromSequence(0L, records - 1L)
                .uid("sequence")
                .name("sequence")
                .map(new Throttle(delayMs))
                .uid("throttle")
                .name("throttle")
                .keyBy(new ByResidue())
                .process(new CountPerKey())
                .uid("count-per-key")
                .name("count-per-key")
                .print()
                .uid("print")
                .name("print");
        env.execute("flinkha-e2e");
    }

    /** Slows the source down so that a run lasts long enough to checkpoint and fail over. */
    static final class Throttle implements MapFunction<Long, Long> {
        private final long delayMs;

        Throttle(long delayMs) {
            this.delayMs = delayMs;
        }

        @Override
        public Long map(Long value) throws Exception {
            if (delayMs > 0) {
                Thread.sleep(delayMs);
            }
            return value;
        }
    }

    /** Eight keys, so both subtasks of the keyed operator own state. */
    static final class ByResidue implements KeySelector<Long, Integer> {
        @Override
        public Integer getKey(Long value) {
            return (int) (value % 8L);
        }
    }

    /** Counts records per key in keyed state; prints one line per key every 1000 records. */
    static final class CountPerKey extends KeyedProcessFunction<Integer, Long, String> {
        private transient ValueState<Long> count;

        @Override
        public void processElement(Long value, Context ctx, Collector<String> out)
                throws Exception {
            if (count == null) {
                count = getRuntimeContext()
                        .getState(new ValueStateDescriptor<>("count", Types.LONG));
            }
            Long seen = count.value();
            long next = seen == null ? 1L : seen + 1L;
            count.update(next);
            if (next % 1000L == 0L) {
                out.collect("key " + ctx.getCurrentKey() + " count " + next);
            }
        }
    }
}
