"""The three meetings: 個別支援調整会議 sessions, 支援会議 (Act art. 9) and 定例支援調整会議 packs."""
