// SSRF protection for outbound webhooks: a subscriber's URL must not lead the server into its own
// network. Names are resolved and every address checked against loopback, private, link-local,
// carrier-grade NAT, multicast and reserved ranges; the check sits in the request's own DNS
// lookup, so the address that was checked is the one connected to (no DNS-rebinding window).
import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import ipaddr from "ipaddr.js";

/** IPv6 global unicast (2000::/3): everything else (IPv4-compatible ::/96, ULA, link-local ...) is refused. */
const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR("2000::/3");

/**
 * Why an address may not be called, or undefined when it may. An allow-list: only public unicast
 * passes (ipaddr.js's range tables, kept with the IANA registries); an IPv4-mapped IPv6 address is
 * judged as the IPv4 address it carries; tunnels and translations that embed another address
 * (6to4, Teredo, NAT64) are refused outright.
 */
export function blockedAddress(address: string): string | undefined {
  if (!ipaddr.isValid(address)) return `${address} is not an IP address`;
  const parsed = ipaddr.parse(address);
  if (parsed.kind() === "ipv6") {
    const v6 = parsed as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) return blockedAddress(v6.toIPv4Address().toString());
    const range = v6.range();
    if (range !== "unicast" || !v6.match(GLOBAL_UNICAST_V6)) return `${address} is not a public address (${describe(range)})`;
    return undefined;
  }
  const range = parsed.range();
  return range === "unicast" ? undefined : `${address} is not a public address (${describe(range)})`;
}

function describe(range: string): string {
  return range === "unicast" ? "outside global unicast" : range.replace(/([a-z])([A-Z0-9])/g, "$1 $2").toLowerCase();
}

/** Names that mean this machine or its own network, whatever DNS says. */
function isLocalName(host: string): boolean {
  return (
    host === "localhost" ||
    [".localhost", ".internal", ".local", ".home.arpa", ".lan"].some((suffix) => host.endsWith(suffix)) ||
    !host.includes(".")
  );
}

/** Check a subscription URL's shape (the addresses are checked at each delivery). */
export function checkWebhookUrl(raw: string, allowPrivate: boolean): string | undefined {
  if (!URL.canParse(raw)) return "must be an absolute http(s) URL";
  const url = new URL(raw);
  if (url.protocol !== "https:" && url.protocol !== "http:") return "must be an http(s) URL";
  if (url.username || url.password) return "must not carry credentials: the signature authenticates us";
  // "localhost." is "localhost": a fully qualified name ends with the root's empty label.
  const host = url.hostname
    .replace(/^\[|\]$/g, "")
    .replace(/\.+$/, "")
    .toLowerCase();
  if (allowPrivate) return undefined;
  if (ipaddr.isValid(host)) return blockedAddress(host);
  if (isLocalName(host)) return `${host} is a local name: only an admin may allow private network targets`;
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
