/** Version of the task payloads the state machine sends; task handlers accept every version up to it. */
export const TASK_INPUT_VERSION = 1;
