// Board discovery: which serial ports, mDNS names, USB network links and ssh-config hosts this
// computer sees right now.
export { discoverBoards, DEFAULT_DISCOVERY_MS, type DiscoverOptions } from './discover';
export { mdnsQuery, hostsFromRecords, MDNS_GROUP, MDNS_PORT, SSH_SERVICE, MdnsError, type MdnsHost, type MdnsQueryOptions } from './mdns';
export { encodeDnsMessage, decodeDnsMessage, DnsPacketError, RR, type DnsMessage, type DnsRecord, type DnsQuestion } from './mdns-packet';
export { listUsbNetLinks, parseArpTable, type UsbNetLink } from './usb-net';
export type { DiscoveryCandidate, DiscoveryResult, DiscoverySourceName, SerialCandidate, SshCandidate, SourceReport } from './types';
