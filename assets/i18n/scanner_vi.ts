<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="vi_VN">
<context>
    <name>CertificateType</name>
    <message>
        <source>vaccination</source>
        <translation>tiêm chủng</translation>
    </message>
    <message>
        <source>test</source>
        <translation>xét nghiệm</translation>
    </message>
    <message>
        <source>recovery</source>
        <translation>khỏi bệnh</translation>
    </message>
</context>
<context>
    <name>Checkpoint</name>
    <message>
        <source>Road checkpoint</source>
        <translation>Chốt kiểm soát giao thông</translation>
    </message>
    <message>
        <source>Market / supermarket</source>
        <translation>Chợ / siêu thị</translation>
    </message>
    <message>
        <source>Office</source>
        <translation>Cơ quan</translation>
    </message>
    <message>
        <source>Event</source>
        <translation>Sự kiện</translation>
    </message>
</context>
<context>
    <name>Cli</name>
    <message>
        <source>Reason</source>
        <translation>Lý do</translation>
    </message>
    <message>
        <source>Colour</source>
        <translation>Màu</translation>
    </message>
    <message>
        <source>Holder</source>
        <translation>Người mang thẻ</translation>
    </message>
    <message>
        <source>Certificate</source>
        <translation>Chứng nhận</translation>
    </message>
</context>
<context>
    <name>Colour</name>
    <message>
        <source>Green</source>
        <translation>Xanh</translation>
    </message>
    <message>
        <source>Yellow</source>
        <translation>Vàng</translation>
    </message>
    <message>
        <source>Red</source>
        <translation>Đỏ</translation>
    </message>
</context>
<context>
    <name>Decision</name>
    <message>
        <source>ALLOWED</source>
        <translation>ĐƯỢC PHÉP</translation>
    </message>
    <message>
        <source>NOT ALLOWED</source>
        <translation>KHÔNG ĐƯỢC PHÉP</translation>
    </message>
    <message>
        <source>MANUAL CHECK</source>
        <translation>KIỂM TRA THỦ CÔNG</translation>
    </message>
</context>
<context>
    <name>Format</name>
    <message>
        <source>EU digital COVID certificate / Thẻ Covid</source>
        <translation>Chứng nhận COVID kỹ thuật số / Thẻ Covid</translation>
    </message>
    <message>
        <source>PC-COVID personal QR</source>
        <translation>Mã QR cá nhân PC-COVID</translation>
    </message>
    <message>
        <source>Chip ID card (CCCD)</source>
        <translation>Căn cước công dân gắn chip (CCCD)</translation>
    </message>
    <message>
        <source>SMART Health Card</source>
        <translation>SMART Health Card</translation>
    </message>
    <message>
        <source>Unknown code</source>
        <translation>Mã không xác định</translation>
    </message>
</context>
<context>
    <name>Reason</name>
    <message>
        <source>Valid: genuine signature, in date, not revoked.</source>
        <translation>Hợp lệ: chữ ký thật, còn hạn, không bị thu hồi.</translation>
    </message>
    <message>
        <source>Identity code only: it carries no health status that can be checked offline.</source>
        <translation>Chỉ là mã định danh: không có thông tin sức khỏe kiểm tra được khi ngoại tuyến.</translation>
    </message>
    <message>
        <source>SMART Health Card: this format is not supported yet.</source>
        <translation>SMART Health Card: định dạng này chưa được hỗ trợ.</translation>
    </message>
    <message>
        <source>Not a code this scanner knows.</source>
        <translation>Mã không được hỗ trợ: máy quét không nhận ra loại mã này.</translation>
    </message>
    <message>
        <source>The code is empty.</source>
        <translation>Mã trống.</translation>
    </message>
    <message>
        <source>The code is longer than any QR code can be.</source>
        <translation>Mã dài hơn mức tối đa của mã QR.</translation>
    </message>
    <message>
        <source>The code contains line breaks or tabs.</source>
        <translation>Mã chứa ký tự xuống dòng hoặc tab.</translation>
    </message>
    <message>
        <source>Damaged code: the text is not valid Base45.</source>
        <translation>Mã bị hỏng: nội dung không phải Base45 hợp lệ.</translation>
    </message>
    <message>
        <source>Damaged code: the compressed data is broken.</source>
        <translation>Mã bị hỏng: dữ liệu nén bị lỗi.</translation>
    </message>
    <message>
        <source>Rejected: the code unpacks to far too much data.</source>
        <translation>Từ chối: mã giải nén ra quá nhiều dữ liệu.</translation>
    </message>
    <message>
        <source>Damaged code: the data structure is malformed.</source>
        <translation>Mã bị hỏng: cấu trúc dữ liệu sai.</translation>
    </message>
    <message>
        <source>Damaged code: the signature envelope is malformed.</source>
        <translation>Mã bị hỏng: phần chữ ký sai cấu trúc.</translation>
    </message>
    <message>
        <source>Rejected: signed with an algorithm that is not allowed.</source>
        <translation>Từ chối: ký bằng thuật toán không được phép.</translation>
    </message>
    <message>
        <source>Rejected: the code does not say which key signed it.</source>
        <translation>Từ chối: mã không cho biết khóa nào đã ký.</translation>
    </message>
    <message>
        <source>Damaged code: issue or expiry time is missing.</source>
        <translation>Mã bị hỏng: thiếu thời điểm cấp hoặc hết hạn.</translation>
    </message>
    <message>
        <source>Rejected: the certificate content is incomplete.</source>
        <translation>Từ chối: nội dung chứng nhận không đầy đủ.</translation>
    </message>
    <message>
        <source>Not trusted: the signing key is not in the trust list.</source>
        <translation>Không tin cậy: khóa ký không có trong danh sách tin cậy.</translation>
    </message>
    <message>
        <source>Not trusted: the signing key has been withdrawn.</source>
        <translation>Không tin cậy: khóa ký đã bị thu hồi.</translation>
    </message>
    <message>
        <source>Forged or altered: the signature does not match.</source>
        <translation>Giả mạo hoặc bị sửa: chữ ký không khớp.</translation>
    </message>
    <message>
        <source>Not trusted: this key may not sign this kind of certificate.</source>
        <translation>Không tin cậy: khóa này không được ký loại chứng nhận này.</translation>
    </message>
    <message>
        <source>Not trusted: signed outside the signing key&apos;s validity.</source>
        <translation>Không tin cậy: được ký ngoài thời hạn của khóa ký.</translation>
    </message>
    <message>
        <source>Not valid yet: issued in the future.</source>
        <translation>Chưa có hiệu lực: thời điểm cấp ở tương lai.</translation>
    </message>
    <message>
        <source>Expired.</source>
        <translation>Đã hết hạn.</translation>
    </message>
    <message>
        <source>This computer&apos;s clock is earlier than the last trusted time: fix the clock.</source>
        <translation>Đồng hồ máy tính sớm hơn thời điểm tin cậy gần nhất: hãy chỉnh lại đồng hồ.</translation>
    </message>
    <message>
        <source>Revoked: this certificate has been withdrawn.</source>
        <translation>Đã thu hồi: chứng nhận này đã bị hủy.</translation>
    </message>
    <message>
        <source>Suspended: the holder is currently in isolation.</source>
        <translation>Tạm đình chỉ: người mang thẻ đang trong thời gian cách ly.</translation>
    </message>
    <message>
        <source>Internal error while checking; please report it.</source>
        <translation>Lỗi nội bộ khi kiểm tra; vui lòng báo lại.</translation>
    </message>
    <message>
        <source>The colour rules are not in force at this date.</source>
        <translation>Quy tắc phân màu chưa hoặc không còn hiệu lực vào ngày này.</translation>
    </message>
    <message>
        <source>Trust data is out of date: keys and rules need updating.</source>
        <translation>Dữ liệu tin cậy đã cũ: cần cập nhật khóa và quy tắc.</translation>
    </message>
</context>
</TS>
