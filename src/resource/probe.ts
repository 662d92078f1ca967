/** What resource status drivers need to know about the host. Implemented in platform/. */
export interface MountEntry {
  readonly mountPoint: string;
  readonly source: string;
  readonly fstype: string;
}

export interface LocalAddress {
  readonly address: string;
  readonly iface: string;
}

export interface ResourceProbe {
  mounts(): MountEntry[];
  isDirectory(path: string): boolean;
  localAddresses(): LocalAddress[];
  /** Resolves a host name to addresses; an IP literal resolves to itself. */
  resolve(name: string): Promise<string[]>;
}

/** Parses /proc/self/mountinfo (octal escapes such as \040 decoded). */
export function parseMountinfo(text: string): MountEntry[] {
  const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
  return text.split("\n").flatMap((line) => {
    const sep = line.indexOf(" - ");
    if (sep < 0) return [];
    const left = line.slice(0, sep).split(" ");
    const right = line.slice(sep + 3).split(" ");
    if (left.length < 5 || right.length < 2) return [];
    return [{ mountPoint: unescape(left[4]!), fstype: right[0]!, source: unescape(right[1]!) }];
  });
}
