// OCPP 1.6 handlers for the charger-initiated actions this CSMS implements, by action name.

import { normaliseTimestamp, type Handler, type HandlerTable } from '../handlers';
import type {
  BootNotificationRequest,
  BootNotificationResponse,
  HeartbeatRequest,
  HeartbeatResponse,
  StatusNotificationRequest,
  StatusNotificationResponse,
} from './schemas.generated';

const BootNotification: Handler<BootNotificationRequest, BootNotificationResponse> = async (req, ctx) => {
  const status = await ctx.records.recordBoot({
    vendor: req.chargePointVendor,
    model: req.chargePointModel,
    serialNumber: req.chargePointSerialNumber,
    chargeBoxSerialNumber: req.chargeBoxSerialNumber,
    firmwareVersion: req.firmwareVersion,
    iccid: req.iccid,
    imsi: req.imsi,
    meterType: req.meterType,
    meterSerialNumber: req.meterSerialNumber,
  });
  return { status, currentTime: ctx.now.toISOString(), interval: ctx.heartbeatIntervalSeconds };
};

const Heartbeat: Handler<HeartbeatRequest, HeartbeatResponse> = async (_req, ctx) => ({
  currentTime: ctx.now.toISOString(),
});

/** 1.6 has connectors only; they are kept as EVSE 0, connector N (0 = the charge point itself). */
const StatusNotification: Handler<StatusNotificationRequest, StatusNotificationResponse> = async (req, ctx) => {
  await ctx.records.recordConnectorStatus({
    evseId: 0,
    connectorId: req.connectorId,
    status: req.status,
    errorCode: req.errorCode,
    info: req.info,
    vendorId: req.vendorId,
    vendorErrorCode: req.vendorErrorCode,
    reportedAt: normaliseTimestamp(req.timestamp),
  });
  return {};
};

export const handlers: HandlerTable = { BootNotification, Heartbeat, StatusNotification };
