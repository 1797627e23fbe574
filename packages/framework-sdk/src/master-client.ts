import type { CallInput } from "@agora/protocol";
import { CallReply, decode, encode } from "@agora/protocol";
import { type Bus, isTransportError } from "@agora/transport";
import { SchedulerError } from "./errors.js";

/**
 * Sends calls to the master on `masterCall` and turns every way a call can fail into a
 * `SchedulerError`: a refusal keeps the master's code and field, transport failures get their own codes.
 */
export class MasterClient {
  constructor(
    private readonly bus: Bus,
    private readonly subject: string,
    private readonly timeoutMs: number,
    /** Told the epoch of every valid reply, so the scheduler knows the newest master. */
    private readonly onEpoch: (epoch: number) => void,
  ) {}

  /** Sends `call` as a request and resolves on `ok:true`; `refusal` is the code used for `ok:false`. */
  async request(call: CallInput, refusal: "CALL_FAILED" | "SUBSCRIBE_FAILED" = "CALL_FAILED"): Promise<void> {
    let bytes: Uint8Array;
    try {
      bytes = await this.bus.request(this.subject, encode(call), { timeoutMs: this.timeoutMs });
    } catch (err) {
      throw fromTransport(err, call.type);
    }
    const reply = decode(CallReply, bytes);
    if (!reply.ok) {
      throw new SchedulerError(
        "INVALID_REPLY",
        `${call.type}: the master's reply is invalid: ${reply.error.message}`,
        {
          cause: reply.error,
        },
      );
    }
    this.onEpoch(reply.value.epoch);
    if (!reply.value.ok) {
      const { code, message, field } = reply.value.error;
      throw new SchedulerError(refusal, `${call.type} refused by the master: ${code}: ${message}`, {
        masterCode: code,
        ...(field === undefined ? {} : { field }),
      });
    }
  }

  /** Sends `call` without awaiting a reply (acknowledge, decline, heartbeat): throughput over certainty. */
  publish(call: CallInput): void {
    try {
      this.bus.publish(this.subject, encode(call));
    } catch (err) {
      throw fromTransport(err, call.type);
    }
  }
}

/** Maps a bus failure to the SDK's error codes. */
export function fromTransport(err: unknown, callType: string): SchedulerError {
  if (isTransportError(err, "TIMEOUT")) {
    return new SchedulerError("TIMEOUT", `${callType}: no reply from the master in time`, { cause: err });
  }
  if (isTransportError(err, "NO_RESPONDERS") || isTransportError(err, "CONNECTION")) {
    return new SchedulerError("NO_MASTER", `${callType}: no master is listening`, { cause: err });
  }
  if (isTransportError(err, "CLOSED")) {
    return new SchedulerError("CLOSED", `${callType}: the bus is closed`, { cause: err });
  }
  return new SchedulerError(
    "CALL_FAILED",
    `${callType}: ${err instanceof Error ? err.message : String(err)}`,
    {
      cause: err,
    },
  );
}
