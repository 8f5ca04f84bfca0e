// OCPP 2.0.1 handlers for the charger-initiated actions this CSMS implements, by action name.

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
  const station = req.chargingStation;
  const status = await ctx.records.recordBoot({
    vendor: station.vendorName,
    model: station.model,
    serialNumber: station.serialNumber,
    firmwareVersion: station.firmwareVersion,
    iccid: station.modem?.iccid,
    imsi: station.modem?.imsi,
  });
  return { status, currentTime: ctx.now.toISOString(), interval: ctx.heartbeatIntervalSeconds };
};

const Heartbeat: Handler<HeartbeatRequest, HeartbeatResponse> = async (_req, ctx) => ({
  currentTime: ctx.now.toISOString(),
});

const StatusNotification: Handler<StatusNotificationRequest, StatusNotificationResponse> = async (req, ctx) => {
  await ctx.records.recordConnectorStatus({
    evseId: req.evseId,
    connectorId: req.connectorId,
    status: req.connectorStatus,
    reportedAt: normaliseTimestamp(req.timestamp),
  });
  return {};
};

export const handlers: HandlerTable = { BootNotification, Heartbeat, StatusNotification };
