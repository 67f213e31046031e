/**
 * One concept of the domain thesaurus: `[id, Chinese forms, English forms, broader concepts?]`,
 * forms separated by `|`, broader ids by spaces. A text naming any form in either language gets
 * the concept's token (and its broader ones), which is how a question in one language finds a
 * fact-check written in the other. Forms are matched after normalisation: simplified, lower case.
 */
export type ConceptRow = readonly [id: string, zh: string, en: string, broader?: string];
