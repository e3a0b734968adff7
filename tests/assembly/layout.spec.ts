// The @unmanaged layouts of the module's state against the sizes the
// compiler budgets them with (assembly/runtime/schema.ts is generated from
// src/compiler/program/schema.ts): if a field is added to a state class and
// the schema is not regenerated, keys would overlap in memory. This is the
// "encoder and decoder agree" check for layouts.
import {
  STORE_HEADER_BYTES, EVENT_COUNT_FIXED, EVENT_COUNT_UNIT, VALUE_COUNT_FIXED, VALUE_COUNT_UNIT, TEMPORAL_FIXED, TEMPORAL_UNIT,
  TEMPORAL_ORDERED_FIXED, TEMPORAL_ORDERED_UNIT, SPIKE_FIXED, SPIKE_UNIT, ANOMALY_FIXED, ANOMALY_UNIT, PERCENTILE_FIXED, PERCENTILE_UNIT,
  ADDRESSES, SAMPLES, SAMPLE_BYTES, HISTOGRAM_BUCKETS,
} from "../../assembly/runtime/schema";
import { Entry } from "../../assembly/correlation/store";
import { EventCountState, eventCountPayload, addressArea } from "../../assembly/correlation/event-count";
import { ValueCountState, valueCountPayload, sampleArea } from "../../assembly/correlation/value-count";
import { temporalPayload } from "../../assembly/correlation/temporal";
import { SpikeState, spikePayload } from "../../assembly/correlation/spike";
import { AnomalyState, anomalyPayload } from "../../assembly/correlation/anomaly";
import { PercentileState, percentilePayload } from "../../assembly/correlation/percentile";
import { HISTOGRAM_BYTES } from "../../assembly/runtime/histogram";

describe("state layouts and the schema's sizes", () => {
  it("a store entry's header is STORE_HEADER_BYTES", () => {
    expect(<i32>offsetof<Entry>()).toBe(STORE_HEADER_BYTES);
  });

  it("event_count: header, then one i64 time per event, then the address samples", () => {
    // Fixed part: the state header and ADDRESSES samples of SAMPLE_BYTES (length byte + 39 bytes).
    expect(<i32>offsetof<EventCountState>() + ADDRESSES * SAMPLE_BYTES).toBe(EVENT_COUNT_FIXED);
    expect(EVENT_COUNT_UNIT).toBe(sizeof<i64>());
    expect(eventCountPayload(5)).toBe(EVENT_COUNT_FIXED + 5 * EVENT_COUNT_UNIT);
    // The addresses start right after the times of `needed` events.
    expect(<i32>(addressArea(1000, 5) - 1000)).toBe(<i32>offsetof<EventCountState>() + 5 * EVENT_COUNT_UNIT);
  });

  it("value_count: header, then a (u64 hash, i64 time) pair per value, then the samples", () => {
    expect(<i32>offsetof<ValueCountState>() + SAMPLES * SAMPLE_BYTES).toBe(VALUE_COUNT_FIXED);
    expect(VALUE_COUNT_UNIT).toBe(sizeof<u64>() + sizeof<i64>());
    expect(valueCountPayload(7)).toBe(VALUE_COUNT_FIXED + 7 * VALUE_COUNT_UNIT);
    expect(<i32>(sampleArea(1000, 7) - 1000)).toBe(<i32>offsetof<ValueCountState>() + 7 * VALUE_COUNT_UNIT);
  });

  it("temporal and temporal_ordered: one i64 per rule", () => {
    expect(TEMPORAL_FIXED).toBe(0);
    expect(TEMPORAL_ORDERED_FIXED).toBe(0);
    expect(TEMPORAL_UNIT).toBe(sizeof<i64>());
    expect(TEMPORAL_ORDERED_UNIT).toBe(sizeof<i64>());
    expect(temporalPayload(4)).toBe(TEMPORAL_FIXED + 4 * TEMPORAL_UNIT);
  });

  it("spike: the state, then one f64 count per baseline interval", () => {
    expect(<i32>offsetof<SpikeState>()).toBe(SPIKE_FIXED);
    expect(SPIKE_UNIT).toBe(sizeof<f64>());
    expect(spikePayload(15)).toBe(SPIKE_FIXED + 15 * SPIKE_UNIT);
  });

  it("anomaly: the state only", () => {
    expect(<i32>offsetof<AnomalyState>()).toBe(ANOMALY_FIXED);
    expect(ANOMALY_UNIT).toBe(0);
    expect(anomalyPayload()).toBe(ANOMALY_FIXED);
  });

  it("percentile: the state, then a u32 count per histogram bucket", () => {
    expect(HISTOGRAM_BYTES).toBe(HISTOGRAM_BUCKETS * <i32>sizeof<u32>());
    expect(<i32>offsetof<PercentileState>() + HISTOGRAM_BYTES).toBe(PERCENTILE_FIXED);
    expect(PERCENTILE_UNIT).toBe(0);
    expect(percentilePayload()).toBe(PERCENTILE_FIXED);
  });

  it("payloads keep 8-byte alignment for the i64 and f64 fields", () => {
    expect(EVENT_COUNT_FIXED % 8).toBe(0);
    expect(VALUE_COUNT_FIXED % 8).toBe(0);
    expect(SPIKE_FIXED % 8).toBe(0);
    expect(ANOMALY_FIXED % 8).toBe(0);
    expect(PERCENTILE_FIXED % 8).toBe(0);
    expect(STORE_HEADER_BYTES % 8).toBe(0);
  });
});
