// The files the machine needs that the board would read from disk under Node: the built-in BIOS
// and the built-in guest programs (ELF), served by Vite as assets and fetched once.
import type { GuestProgram } from '@phantasm/machine/browser';
import biosUrl from '../../../machine/firmware/bios.bin?url';

const guestUrls = import.meta.glob('../../../machine/guests/bin/*.elf', {
  query: '?url',
  import: 'default',
  eager: true,
}) as Record<string, string>;

async function bytes(url: string): Promise<Uint8Array> {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`cannot load ${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

let bios: Promise<Uint8Array> | undefined;
let programs: Promise<GuestProgram[]> | undefined;

export function builtinBios(): Promise<Uint8Array> {
  bios ??= bytes(biosUrl);
  return bios;
}

export function builtinPrograms(): Promise<GuestProgram[]> {
  programs ??= Promise.all(
    Object.entries(guestUrls)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(async ([path, url]) => ({
        name: path.slice(path.lastIndexOf('/') + 1, -'.elf'.length),
        image: await bytes(url),
      })),
  );
  return programs;
}
