NAME        
ROWS
 N  Obj     
 E  r0      
 E  r1      
 E  r2      
 E  r3      
 E  r4      
 E  r5      
 L  r6      
 L  r7      
 L  r8      
 L  r9      
 L  r10     
 L  r11     
 L  r12     
 L  r13     
 L  r14     
 L  r15     
 L  r16     
 L  r17     
 L  r18     
 L  r19     
 L  r20     
 L  r21     
 L  r22     
 L  r23     
 L  r24     
 L  r25     
 L  r26     
 L  r27     
 L  r28     
 L  r29     
 L  r30     
 L  r31     
 L  r32     
 L  r33     
 L  r34     
 L  r35     
 G  r36     
 L  r37     
 L  r38     
 L  r39     
 L  r40     
 L  r41     
 L  r42     
 L  r43     
 L  r44     
 L  r45     
COLUMNS
    c0        Obj       55500
    c0        r0        1
    c1        Obj       50000
    c1        r1        1
    c2        Obj       53000
    c2        r2        1
    c3        Obj       101000
    c3        r3        1
    c4        Obj       23500
    c4        r4        1
    c5        Obj       52000
    c5        r5        1
    c6        Obj       -10271
    c6        r28       1
    c7        Obj       -651
    c7        r29       1
    c8        Obj       -822
    c8        r30       1
    c9        Obj       -800
    c9        r31       1
    c10       Obj       -691
    c10       r32       1
    MARK0000  'MARKER'                 'INTORG'
    c11       r35       -26.43
    c11       r36       -2
    MARK0001  'MARKER'                 'INTEND'
    c12       Obj       -1
    c12       r34       1
    c12       r35       1
    MARK0002  'MARKER'                 'INTORG'
    c13       Obj       2116.02
    c13       r0        1
    c13       r6        1
    c13       r33       1
    c13       r40       857
    c13       r41       1
    c14       Obj       3126.8000000000002
    c14       r0        1
    c14       r7        1
    c14       r33       1
    c14       r40       645
    c14       r41       1
    c15       Obj       3701.7600000000002
    c15       r0        1
    c15       r8        1
    c15       r33       1
    c15       r40       910
    c15       r41       1
    c16       Obj       3294.23
    c16       r0        1
    c16       r9        1
    c16       r33       1
    c16       r40       648
    c16       r41       1
    c17       Obj       2230.77
    c17       r0        1
    c17       r10       1
    c17       r34       -26.43
    c17       r36       1
    c17       r40       881
    c17       r41       1
    c18       Obj       2090.8400000000001
    c18       r0        1
    c18       r11       1
    c18       r33       1
    c18       r40       684
    c18       r41       1
    c19       Obj       2713.5900000000001
    c19       r0        1
    c19       r13       1
    c19       r40       771
    c19       r41       1
    c20       Obj       3294.1300000000001
    c20       r0        1
    c20       r14       1
    c20       r29       -1
    c20       r33       1
    c20       r40       651
    c20       r41       1
    c21       Obj       3412.3600000000001
    c21       r0        1
    c21       r15       1
    c21       r40       941
    c21       r41       1
    c22       Obj       1842.4099999999999
    c22       r0        1
    c22       r16       1
    c22       r33       1
    c22       r40       750
    c22       r41       1
    c23       Obj       3022.8800000000001
    c23       r0        1
    c23       r17       1
    c23       r33       1
    c23       r40       740
    c23       r41       1
    c24       Obj       3546.6599999999999
    c24       r0        1
    c24       r18       1
    c24       r30       -1
    c24       r33       1
    c24       r40       822
    c24       r41       1
    c25       Obj       3420.5700000000002
    c25       r0        1
    c25       r19       1
    c25       r33       1
    c25       r40       733
    c25       r41       1
    c26       Obj       3611.9200000000001
    c26       r0        1
    c26       r22       1
    c26       r31       -1
    c26       r33       1
    c26       r40       800
    c26       r41       1
    c27       Obj       3226.75
    c27       r0        1
    c27       r24       1
    c27       r32       -1
    c27       r33       1
    c27       r40       691
    c27       r41       1
    c28       Obj       2577.0799999999999
    c28       r0        1
    c28       r25       1
    c28       r40       789
    c28       r41       1
    c29       Obj       1265.1500000000001
    c29       r0        1
    c29       r26       1
    c29       r40       749
    c29       r41       1
    c30       Obj       3573.4699999999998
    c30       r0        1
    c30       r27       1
    c30       r33       1
    c30       r40       901
    c30       r41       1
    c31       Obj       1892.4400000000001
    c31       r1        1
    c31       r26       1
    c31       r37       749
    c31       r38       1
    c32       Obj       4370.3699999999999
    c32       r2        1
    c32       r9        1
    c32       r33       1
    c32       r42       648
    c33       Obj       3554.8699999999999
    c33       r2        1
    c33       r22       1
    c33       r31       -1
    c33       r33       1
    c33       r42       800
    c34       Obj       2925.9099999999999
    c34       r2        1
    c34       r23       1
    c34       r33       1
    c34       r42       696
    c35       Obj       3465.4899999999998
    c35       r2        1
    c35       r24       1
    c35       r32       -1
    c35       r33       1
    c35       r42       691
    c36       Obj       2390.4000000000001
    c36       r3        1
    c36       r7        1
    c36       r33       1
    c36       r39       645
    c37       Obj       1543.0999999999999
    c37       r3        1
    c37       r11       1
    c37       r33       1
    c37       r39       684
    c38       Obj       2693.46
    c38       r3        1
    c38       r13       1
    c38       r39       771
    c39       Obj       2176.71
    c39       r3        1
    c39       r14       1
    c39       r29       -1
    c39       r33       1
    c39       r39       651
    c40       Obj       1737.98
    c40       r3        1
    c40       r16       1
    c40       r33       1
    c40       r39       750
    c41       Obj       2702.02
    c41       r3        1
    c41       r19       1
    c41       r33       1
    c41       r39       733
    c42       Obj       2563.4499999999998
    c42       r3        1
    c42       r22       1
    c42       r31       -1
    c42       r33       1
    c42       r39       800
    c43       Obj       1933.0699999999999
    c43       r3        1
    c43       r23       1
    c43       r33       1
    c43       r39       696
    c44       Obj       2482.3400000000001
    c44       r3        1
    c44       r24       1
    c44       r32       -1
    c44       r33       1
    c44       r39       691
    c45       Obj       1522.28
    c45       r3        1
    c45       r25       1
    c45       r39       789
    c46       Obj       2591.6400000000003
    c46       r3        1
    c46       r26       1
    c46       r39       749
    c47       Obj       3238.5699999999997
    c47       r4        1
    c47       r8        1
    c47       r33       1
    c47       r43       910
    c47       r44       1
    c48       Obj       11863.879999999999
    c48       r4        1
    c48       r12       1
    c48       r28       -1
    c48       r43       10271
    c48       r44       1
    c49       Obj       6624
    c49       r4        1
    c49       r20       1
    c49       r43       4842
    c49       r44       1
    c50       Obj       7403.7799999999997
    c50       r4        1
    c50       r21       1
    c50       r43       5363
    c50       r44       1
    c51       Obj       1951.79
    c51       r5        1
    c51       r6        1
    c51       r33       1
    c51       r45       857
    c52       Obj       2113.3400000000001
    c52       r5        1
    c52       r10       1
    c52       r34       -26.43
    c52       r36       1
    c52       r45       881
    c53       Obj       1288.29
    c53       r5        1
    c53       r11       1
    c53       r33       1
    c53       r45       684
    c54       Obj       1743.1800000000001
    c54       r5        1
    c54       r25       1
    c54       r45       789
    MARK0003  'MARKER'                 'INTEND'
RHS
    RHS_V     r0        1
    RHS_V     r1        1
    RHS_V     r2        1
    RHS_V     r3        1
    RHS_V     r4        1
    RHS_V     r5        1
    RHS_V     r6        2
    RHS_V     r7        2
    RHS_V     r8        3
    RHS_V     r9        1
    RHS_V     r10       1
    RHS_V     r11       3
    RHS_V     r12       1
    RHS_V     r13       2
    RHS_V     r14       2
    RHS_V     r15       2
    RHS_V     r16       2
    RHS_V     r17       1
    RHS_V     r18       1
    RHS_V     r19       1
    RHS_V     r20       1
    RHS_V     r21       1
    RHS_V     r22       2
    RHS_V     r23       3
    RHS_V     r24       1
    RHS_V     r25       1
    RHS_V     r26       2
    RHS_V     r27       3
    RHS_V     r33       1
    RHS_V     r37       700
    RHS_V     r39       700
    RHS_V     r40       600
    RHS_V     r42       700
    RHS_V     r43       700
    RHS_V     r45       700
BOUNDS
 UP BOUND     c0        1
 UP BOUND     c1        1
 UP BOUND     c2        1
 UP BOUND     c3        1
 UP BOUND     c4        1
 UP BOUND     c5        1
 UP BOUND     c6        1
 UP BOUND     c7        1
 UP BOUND     c8        1
 UP BOUND     c9        1
 UP BOUND     c10       1
 BV BOUND     c11     
 BV BOUND     c13     
 BV BOUND     c14     
 BV BOUND     c15     
 BV BOUND     c16     
 BV BOUND     c17     
 BV BOUND     c18     
 BV BOUND     c19     
 BV BOUND     c20     
 BV BOUND     c21     
 BV BOUND     c22     
 BV BOUND     c23     
 BV BOUND     c24     
 BV BOUND     c25     
 BV BOUND     c26     
 BV BOUND     c27     
 BV BOUND     c28     
 BV BOUND     c29     
 BV BOUND     c30     
 BV BOUND     c31     
 BV BOUND     c32     
 BV BOUND     c33     
 BV BOUND     c34     
 BV BOUND     c35     
 BV BOUND     c36     
 BV BOUND     c37     
 BV BOUND     c38     
 BV BOUND     c39     
 BV BOUND     c40     
 BV BOUND     c41     
 BV BOUND     c42     
 BV BOUND     c43     
 BV BOUND     c44     
 BV BOUND     c45     
 BV BOUND     c46     
 BV BOUND     c47     
 BV BOUND     c48     
 BV BOUND     c49     
 BV BOUND     c50     
 BV BOUND     c51     
 BV BOUND     c52     
 BV BOUND     c53     
 BV BOUND     c54     
ENDATA
