import type { Prompter } from "../core/ports.js";

/**
 * Asks on the controlling terminal: prints the prompt on stderr, reads one line from stdin.
 * Always settles: with the answer, on timeout, or when stdin ends or closes.
 */
export function createTtyPrompter(streams: () => { stdin: NodeJS.ReadStream; out: NodeJS.WriteStream } = () => ({ stdin: process.stdin, out: process.stderr })): Prompter {
  // process.stdin is created on first access, which costs a few ms: only when asked.
  return {
    isInteractive: () => streams().stdin.isTTY === true,
    ask(text, timeoutMs) {
      const { stdin, out } = streams();
      out.write(text);
      return new Promise((resolve) => {
        let buffered = "";
        const done = (reply: { answer: string } | { timeout: true } | { closed: true }) => {
          clearTimeout(timer);
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
        stdin.on("data", onData);
        stdin.once("end", onEnd);
        stdin.once("close", onEnd);
        stdin.resume();
      });
    },
  };
}
