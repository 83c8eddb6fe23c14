// bsdsock/timeline: what `npm run demo` draws, for any programs that use bsdsock. Run them with
// runTimeline (the tracer on, a packet capture on the interface they talk over), then draw the
// result: their calls side by side, the TCP segments between them, each socket's TCP state, checked
// against the kernel. The capture and the decoders stand alone too: PacketCapture reads frames with
// the kernel's timestamps, decodeFrame reads Ethernet/IPv4/IPv6/TCP headers, tcpSockets asks the
// kernel for its TCP sockets (sock_diag), tcpStates runs TCP's state machine over calls and segments.
// causalOrder and renderCausal draw a run in an order its causal links decide, the same from run to run
// (npm run lesson).
export {
  PacketCapture,
  CaptureError,
  interfaceUp,
  tcpSockets,
  type CapturedPacket,
  type KernelSocket,
} from './timeline/capture';
export {
  decodeFrame,
  flagsText,
  segmentText,
  packetText,
  TCP_FLAGS,
  type Packet,
  type TcpSegment,
  type UdpDatagram,
  type IcmpMessage,
  type OtherPacket,
  type IcmpSubject,
} from './timeline/packets';
export {
  causalOrder,
  resultOf,
  readyOf,
  type Ready,
  type CausalProgram,
  type CausalTimeline,
  type CallResult,
} from './timeline/causal';
export {
  tcpStates,
  type CallRecord,
  type WireRecord,
  type StateRecord,
  type StateCheck,
  type StatesResult,
  type TimelineRecord,
} from './timeline/states';
export {
  runTimeline,
  recordsOf,
  type ProgramSpec,
  type TraceCue,
  type HoldSpec,
  type HoldUntil,
  type Held,
  type RecordRef,
  type CueRef,
  type RunOptions,
  type ProgramResult,
  type Timeline,
  type CaptureStatus,
} from './timeline/run';
export {
  itemsOf,
  rowsOf,
  renderWide,
  renderNarrow,
  mermaidOf,
  renderCausal,
  wrap,
  arrow,
  type Item,
  type Row,
  type Columns,
  type CausalRenderOptions,
} from './timeline/render';
export { tcpSocketState, tcpStateName, type SocketState, type TcpState } from './trace/sockets';
