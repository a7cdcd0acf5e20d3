import Type, { type Static } from 'typebox';

/**
 * agent.json, the enrollment. Read at build time only: scripts/compile-validators.mjs turns it
 * into a standalone validator, so the running agent never loads TypeBox.
 */
export const AgentConfig = Type.Object({
  serverUrl: Type.String({ minLength: 1 }),
  // Printed in messages and the web app's links: visible characters only.
  machineId: Type.String({ pattern: '^[\\x21-\\x7e]{1,256}$' }),
  // Sent as `Authorization: Bearer <key>`, so the header's token68 characters only: a newline
  // would split the header, and the error that follows would print the key.
  machineKey: Type.String({ pattern: '^[A-Za-z0-9._~+/-]{1,512}=*$' }),
});

export type AgentConfig = Static<typeof AgentConfig>;
