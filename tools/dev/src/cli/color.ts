import { chalk } from 'zx';

// zx's chalk follows the TTY and FORCE_COLOR but not NO_COLOR (https://no-color.org): honour it
// here, once, and import chalk from this module everywhere.
if (process.env.NO_COLOR) chalk.level = 0;

export { chalk };
