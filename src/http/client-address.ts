import { createHmac, randomBytes } from 'node:crypto';

import { normalizeIP } from '@fastify/rate-limit';
import type { FastifyRequest } from 'fastify';

/**
 * The address a client is counted under. An IPv6 client usually holds a whole
 * /64 and could hop between its addresses, so it is counted per /64; an
 * IPv4-mapped IPv6 address counts as the IPv4 address.
 */
export function clientAddress(request: FastifyRequest): string {
  return normalizeIP(request.ip, 64);
}

/** Turns an address into a pseudonym for logs. */
export type AddressHasher = (address: string) => string;

/**
 * HMAC-SHA256 of the address, cut to 128 bits, so abuse logs can tell
 * clients apart without holding their addresses. Without a secret the key is
 * random per process: pseudonyms then match only within one run of one process.
 */
export function addressHasher(secretKey: string | undefined): AddressHasher {
  const key = secretKey ?? randomBytes(32);
  return (address) => createHmac('sha256', key).update(address).digest('hex').slice(0, 32);
}
