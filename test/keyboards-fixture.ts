/** Pressing a button in a test: the callback_data src/keyboards.ts gives an action (through `button`, as src does). */
import { button, type Action } from '#ccbot/keyboards.js';

export const encodeAction = (action: Action): string => button('', action).callback_data;
