import type { Prompter, PromptReply } from "../core/ports.js";
import { whenAborted } from "./abort-listeners.js";

/**
 * Asks on the controlling terminal: prints the prompt on stderr, reads one line from stdin.
 * Always settles: with the answer, on timeout, when stdin ends or closes, or when `signal` aborts.
 */
export function createTtyPrompter(streams: () => { stdin: NodeJS.ReadStream; out: NodeJS.WriteStream } = () => ({ stdin: process.stdin, out: process.stderr })): Prompter {
  // process.stdin is created on first access, which costs a few ms: only when asked.
  return {
    isInteractive: () => streams().stdin.isTTY === true,
    ask(text, timeoutMs, signal) {
      if (signal?.aborted) return Promise.resolve({ interrupted: true });
      const { stdin, out } = streams();
      out.write(text);
      return new Promise((resolve) => {
        let buffered = "";
        const done = (reply: PromptReply) => {
          clearTimeout(timer);
          stopWatchingAbort();
          stdin.off("data", onData);
          stdin.off("end", onEnd);
          stdin.off("close", onEnd);
          stdin.pause();
          if (!("answer" in reply)) out.write("\n");
          resolve(reply);
        };
        const onData = (chunk: Buffer | string) => {
          buffered += chunk.toString();
          const nl = buffered.indexOf("\n");
          if (nl >= 0) done({ answer: buffered.slice(0, nl).replace(/\r$/, "").trim() });
        };
        const onEnd = () => done({ closed: true });
        const timer = setTimeout(() => done({ timeout: true }), timeoutMs);
        const stopWatchingAbort = signal === undefined ? () => {} : whenAborted(signal, () => done({ interrupted: true }));
        stdin.on("data", onData);
        stdin.once("end", onEnd);
        stdin.once("close", onEnd);
        stdin.resume();
      });
    },
  };
}
