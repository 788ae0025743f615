/** OpenLineage column-lineage subtypes of a DIRECT transformation: the output value is derived from the input's. */
export const DIRECT_SUBTYPES = ['IDENTITY', 'TRANSFORMATION', 'AGGREGATION'] as const;
/** Subtypes of an INDIRECT transformation: the input influences which rows or values the output has. */
export const INDIRECT_SUBTYPES = ['JOIN', 'GROUP_BY', 'FILTER', 'SORT', 'WINDOW', 'CONDITIONAL'] as const;

/** One of {@link DIRECT_SUBTYPES}. */
export type DirectSubtype = (typeof DIRECT_SUBTYPES)[number];
/** One of {@link INDIRECT_SUBTYPES}. */
export type IndirectSubtype = (typeof INDIRECT_SUBTYPES)[number];
