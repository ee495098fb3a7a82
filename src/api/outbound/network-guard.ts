// SSRF protection for outbound webhooks: a subscriber's URL must not lead the server into its own
// network. Names are resolved and every address checked against loopback, private, link-local,
// carrier-grade NAT, multicast and reserved ranges; the check sits in the request's own DNS
// lookup, so the address that was checked is the one connected to (no DNS-rebinding window).
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { BlockList, isIP } from "node:net";

const BLOCKED = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.0.2.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["198.51.100.0", 24],
  ["203.0.113.0", 24],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
] as const) {
  BLOCKED.addSubnet(network, prefix, "ipv4");
}
for (const [network, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
  ["2001:db8::", 32],
  ["64:ff9b::", 96],
] as const) {
  BLOCKED.addSubnet(network, prefix, "ipv6");
}

/** Why an address may not be called, or undefined when it may. */
export function blockedAddress(address: string): string | undefined {
  const family = isIP(address);
  if (family === 0) return `${address} is not an IP address`;
  // IPv4-mapped IPv6 (::ffff:10.0.0.1) is checked as the IPv4 address it is.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1];
  if (mapped) return blockedAddress(mapped);
  const blocked = family === 4 ? BLOCKED.check(address, "ipv4") : BLOCKED.check(address, "ipv6");
  return blocked ? `${address} is a loopback, private, link-local or reserved address` : undefined;
}

/** Check a subscription URL's shape (the addresses are checked at each delivery). */
export function checkWebhookUrl(raw: string, allowPrivate: boolean): string | undefined {
  if (!URL.canParse(raw)) return "must be an absolute http(s) URL";
  const url = new URL(raw);
  if (url.protocol !== "https:" && url.protocol !== "http:") return "must be an http(s) URL";
  if (url.username || url.password) return "must not carry credentials: the signature authenticates us";
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (!allowPrivate && (host === "localhost" || host.endsWith(".localhost") || host.endsWith(".internal") || host.endsWith(".local"))) {
    return `${host} is a local name: only an admin may allow private network targets`;
  }
  if (!allowPrivate && isIP(host) !== 0) return blockedAddress(host);
  return undefined;
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A `lookup` for http.request that refuses blocked addresses (unless allowed). */
export function guardedLookup(allowPrivate: boolean) {
  return (hostname: string, options: object, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const list = addresses as LookupAddress[];
      const bad = allowPrivate ? undefined : list.map((a) => blockedAddress(a.address)).find((why) => why !== undefined);
      if (bad) return callback(Object.assign(new Error(`refused: ${hostname} resolves to ${bad}`), { code: "EBLOCKED" }), []);
      if ((options as { all?: boolean }).all) return callback(null, list);
      const first = list[0];
      if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: "ENOTFOUND" }), []);
      callback(null, first.address, first.family);
    });
  };
}
