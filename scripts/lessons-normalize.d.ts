/** A lesson's output with descriptors, ephemeral ports and process ids written as <fdN>, <portN>, <pid> (scripts/lessons-normalize.js). */
export function normalize(text: string): string;
