// The main-process side of the contract: one function per channel.
import type { ChannelName, ParsedRequestOf, ResponseOf } from '../../common/contract/index.js';

export type Handler<K extends ChannelName> = (request: ParsedRequestOf<K>) => Promise<ResponseOf<K>> | ResponseOf<K>;
export type Handlers = { [K in ChannelName]: Handler<K> };
