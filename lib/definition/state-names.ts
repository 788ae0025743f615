/** Names of the states Sluice adds around the steps in the ASL; a step may not take one. */
export const ASL_STATES = { begin: 'Begin', route: 'Route', failed: 'Failed', invalidInput: 'InvalidInput' } as const;
