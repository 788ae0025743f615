// asl-validator ships no types; this declares the function the tests call.
declare module 'asl-validator' {
  export default function aslValidator(
    definition: unknown,
    options?: { checkPaths?: boolean; checkArn?: boolean },
  ): { isValid: boolean; errors: Array<{ message?: string; path?: string }> };
}
