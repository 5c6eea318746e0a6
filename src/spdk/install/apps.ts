/** The four SPDK applications the agent manages (contract §5.1); the config layer names them. */
export { SPDK_APPS, type SpdkApp } from '../../config/types.js';
