/** The timeline block of a lesson's text: what is between its markers, without the fence; null without markers (scripts/lessons-embed.js). */
export function blockOf(text: string): string | null;
/** The text with its timeline block replaced by `output`, fenced. */
export function withBlock(text: string, output: string): string;
export const BEGIN: string;
export const END: string;
