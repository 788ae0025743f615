// Every job and dataset box of the lineage graph has one size, so names are cut to fit and the layout stays regular.

/** The size of a node's box in the lineage graph. */
export const NODE_SIZE = { width: 236, height: 60 } as const;
